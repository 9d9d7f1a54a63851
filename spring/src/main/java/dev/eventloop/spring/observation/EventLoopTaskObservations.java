package dev.eventloop.spring.observation;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.eventloop.CallableDecorator;
import dev.eventloop.EventLoop;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;

/**
 * Observes each task that runs on an event loop as an {@code eventloop.task}
 * {@link Observation}, with the low-cardinality key values {@code loop}, {@code group},
 * {@code mode} ({@code inline} or {@code queued}) and {@code outcome} ({@code success} or
 * {@code failure}). The observation covers the run of the task, its parent is the
 * observation current where the task was submitted (so a trace continues onto the loop),
 * and its {@link EventLoopTaskContext context} carries the time the task waited in the
 * queue.
 * <p>
 * As a {@link CallableDecorator} of the {@code AsyncContext} it observes queued work;
 * {@link #observeInline(EventLoop, Callable)} observes work that runs inline on the
 * caller's loop. Last among the decorators, so that it runs inside the restored context.
 *
 * @since 0.1.0
 */
public final class EventLoopTaskObservations implements CallableDecorator, Ordered {

	/**
	 * The name of the observation.
	 */
	public static final String NAME = "eventloop.task";

	private final ObservationRegistry registry;

	/**
	 * Create the observations of tasks, made in the given registry.
	 * @param registry the observation registry
	 */
	public EventLoopTaskObservations(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public <T> Callable<T> decorate(Callable<T> task) {
		Observation parent = this.registry.getCurrentObservation();
		long submitted = System.nanoTime();
		return () -> {
			Optional<EventLoop> loop = EventLoop.current();
			if (loop.isEmpty()) {
				return task.call(); // offloaded work: not a loop task
			}
			return observe(loop.get(), "queued", parent, System.nanoTime() - submitted, task);
		};
	}

	/**
	 * Run a task inline on the caller's loop, observed.
	 * @param <T> the result type
	 * @param loop the caller's loop
	 * @param task the task
	 * @return the task's result
	 * @throws Exception what the task throws
	 */
	public <T> T observeInline(EventLoop loop, Callable<T> task) throws Exception {
		return observe(loop, "inline", this.registry.getCurrentObservation(), 0, task);
	}

	private <T> T observe(EventLoop loop, String mode, @Nullable Observation parent, long queueWaitNanos,
			Callable<T> task) throws Exception {
		EventLoopTaskContext context = new EventLoopTaskContext(loop.name(), loop.group().name(), mode,
				Duration.ofNanos(queueWaitNanos));
		Observation observation = Observation.createNotStarted(NAME, () -> context, this.registry)
			.lowCardinalityKeyValue("loop", context.getLoop())
			.lowCardinalityKeyValue("group", context.getGroup())
			.lowCardinalityKeyValue("mode", mode)
			.parentObservation(parent)
			.start();
		try (Observation.Scope scope = observation.openScope()) {
			T result = task.call();
			observation.lowCardinalityKeyValue("outcome", "success");
			return result;
		}
		catch (Exception | Error ex) {
			observation.lowCardinalityKeyValue("outcome", "failure");
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
