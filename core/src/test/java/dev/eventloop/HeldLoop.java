package dev.eventloop;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A loop held inside one task until released, so that what is queued meanwhile waits; and
 * a task whose delivery fails, which kills the loop (its own machinery, not the task,
 * failed).
 */
final class HeldLoop {

	private final CountDownLatch release = new CountDownLatch(1);

	private HeldLoop() {
	}

	/**
	 * Queue a task that holds the loop, and return once it is running.
	 */
	static HeldLoop hold(EventLoop loop) throws InterruptedException {
		HeldLoop held = new HeldLoop();
		CountDownLatch started = new CountDownLatch(1);
		loop.execute(() -> {
			started.countDown();
			held.awaitRelease();
		});
		assertThat(started.await(10, TimeUnit.SECONDS)).as("the holding task started").isTrue();
		return held;
	}

	void release() {
		this.release.countDown();
	}

	private void awaitRelease() {
		try {
			this.release.await(30, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * A task that runs, then throws {@code failure} when the loop delivers its outcome.
	 */
	static LoopTask failingToDeliver(Error failure) {
		return new LoopTask() {

			@Override
			public void execute() {
			}

			@Override
			public void deliver() {
				throw failure;
			}

			@Override
			public void fail(Throwable ex) {
			}

			@Override
			public void abandon(RejectedExecutionException cause) {
			}

		};
	}

}
