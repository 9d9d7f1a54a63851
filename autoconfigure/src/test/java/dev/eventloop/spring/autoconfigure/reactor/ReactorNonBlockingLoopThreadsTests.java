package dev.eventloop.spring.autoconfigure.reactor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoop;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.reactor.ReactorNonBlockingLoopThreads;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ReactorNonBlockingLoopThreadsTests {

	private static final long TIMEOUT_SECONDS = 10;

	private static final String REACTOR_REFUSAL = "block()/blockFirst()/blockLast() are blocking";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(EventLoopAutoConfiguration.class, EventLoopReactorAutoConfiguration.class));

	@Test
	void loopThreadsShouldBeNonBlockingForReactorWhileTheContextRuns() {
		this.contextRunner.run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			assertThat(loop.submit(Schedulers::isInNonBlockingThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(Schedulers.isInNonBlockingThread()).isFalse();
		});
	}

	@Test
	void blockOnALoopShouldFailAsOnReactorsOwnThreads() {
		this.contextRunner.run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			assertRefused(loop, () -> Mono.delay(Duration.ofMillis(10)).block());
			assertRefused(loop, () -> Flux.just(1, 2).delayElements(Duration.ofMillis(1)).blockFirst());
			assertRefused(loop, () -> Flux.just(1, 2).delayElements(Duration.ofMillis(1)).blockLast());
			assertThat(loop.counters().failed()).isEqualTo(3);
		});
	}

	@Test
	void blockOnALoopUnderWarnPolicyShouldWaitAndCountTheViolation() {
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=warn").run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			Long value = loop.submit(() -> Mono.delay(Duration.ofMillis(5)).block())
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(value).isZero();
			assertThat(loop.counters().blockingViolations()).isEqualTo(1);
		});
	}

	@Test
	void blockOnALoopUnderAllowPolicyShouldWaitWithoutComplaint() {
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=allow").run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			List<Integer> values = loop
				.submit(() -> Flux.just(1, 2).delayElements(Duration.ofMillis(1)).collectList().block())
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(values).containsExactly(1, 2);
			assertThat(loop.counters().blockingViolations()).isZero();
		});
	}

	@Test
	void loopThreadsShouldNoLongerBeNonBlockingOnceTheContextHasClosed() throws Exception {
		ConfigurableApplicationContext[] closed = new ConfigurableApplicationContext[1];
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ReactorNonBlockingLoopThreads.class);
			closed[0] = context;
		});
		assertThat(closed[0].isActive()).isFalse();
		try (EventLoop standalone = EventLoop.builder("standalone").build()) {
			assertThat(standalone.submit(() -> Mono.delay(Duration.ofMillis(5)).block())
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isZero();
		}
	}

	@Test
	void eachRunningContextShouldAnswerForItsOwnLoopsOnlySoThatAViolationIsCountedOnce() {
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=warn").run((first) -> {
			this.contextRunner.withPropertyValues("eventloop.blocking-policy=warn").run((second) -> {
				EventLoop loop = second.getBean(EventLoop.class);
				assertThat(loop.submit(() -> Mono.delay(Duration.ofMillis(5)).block())
					.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isZero();
				assertThat(loop.counters().blockingViolations()).isEqualTo(1);
				assertThat(first.getBean(EventLoop.class).counters().blockingViolations()).isZero();
			});
			// a loop built by hand, beside a running context: no registration claims it
			try (EventLoop standalone = EventLoop.builder("standalone").build()) {
				assertThat(standalone.submit(Schedulers::isInNonBlockingThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
					.isFalse();
				assertThat(standalone.counters().blockingViolations()).isZero();
			}
		});
	}

	@Test
	void contextsWithFailAndWarnPoliciesAtOnceShouldEachApplyTheirOwnPolicy() {
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=fail").run((failing) -> {
			this.contextRunner.withPropertyValues("eventloop.blocking-policy=warn").run((warning) -> {
				EventLoop strict = failing.getBean(EventLoop.class);
				EventLoop lenient = warning.getBean(EventLoop.class);
				assertRefused(strict, () -> Mono.delay(Duration.ofMillis(5)).block());
				assertThat(lenient.submit(() -> Mono.delay(Duration.ofMillis(5)).block())
					.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isZero();
				assertThat(strict.counters().blockingViolations()).isZero();
				assertThat(lenient.counters().blockingViolations()).isEqualTo(1);
			});
			// the warning context has closed: the strict one still refuses
			EventLoop strict = failing.getBean(EventLoop.class);
			assertRefused(strict, () -> Mono.delay(Duration.ofMillis(5)).block());
		});
	}

	@Test
	void aClosedContextsRegistrationShouldAnswerFalseEvenForItsOwnLoopsThreads() throws Exception {
		ReactorNonBlockingLoopThreads[] registration = new ReactorNonBlockingLoopThreads[1];
		Thread[] loopThread = new Thread[1];
		this.contextRunner.run((context) -> {
			registration[0] = context.getBean(ReactorNonBlockingLoopThreads.class);
			EventLoop loop = context.getBean(EventLoop.class);
			loopThread[0] = loop.submit(Thread::currentThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(registration[0].test(loopThread[0])).isTrue();
		});
		assertThat(registration[0].test(loopThread[0])).isFalse();
		assertThat(Schedulers.isNonBlockingThread(loopThread[0])).isFalse();
	}

	@Test
	void aLoopsThreadAskedAboutFromAnotherThreadShouldBeNonBlockingWhateverThePolicyWithoutAViolation() {
		for (String policy : List.of("fail", "warn", "allow")) {
			this.contextRunner.withPropertyValues("eventloop.blocking-policy=" + policy).run((context) -> {
				EventLoop loop = context.getBean(EventLoop.class);
				Thread thread = loop.submit(Thread::currentThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				assertThat(Schedulers.isNonBlockingThread(thread)).as(policy).isTrue();
				assertThat(Schedulers.isNonBlockingThread(Thread.currentThread())).as(policy).isFalse();
				assertThat(loop.counters().blockingViolations()).as(policy).isZero();
			});
		}
	}

	@Test
	void underWarnAskingWhetherALoopThreadIsNonBlockingShouldCountAsTheViolationForThatIsHowReactorAsks() {
		// Reactor asks exactly this before block() waits: the predicate cannot tell a
		// question from a wait, so under warn the question is the violation (documented)
		this.contextRunner.withPropertyValues("eventloop.blocking-policy=warn").run((context) -> {
			EventLoop loop = context.getBean(EventLoop.class);
			assertThat(loop.submit(Schedulers::isInNonBlockingThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isFalse();
			assertThat(loop.counters().blockingViolations()).isEqualTo(1);
		});
	}

	@Test
	void withoutReactorThereShouldBeNoRegistration() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("reactor.core"))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ReactorNonBlockingLoopThreads.class));
	}

	private static void assertRefused(EventLoop loop, java.util.concurrent.Callable<?> blocking) {
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> loop.submit(blocking).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
			.havingCause()
			.isInstanceOf(IllegalStateException.class)
			.withMessageContaining(REACTOR_REFUSAL)
			.withMessageContaining(loop.name());
	}

}
