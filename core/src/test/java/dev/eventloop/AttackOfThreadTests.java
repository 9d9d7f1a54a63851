package dev.eventloop;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on {@link EventLoop#ofThread(Thread)}: the loop that runs on the given thread,
 * empty for any other thread, whoever created it and whatever state its loop is in.
 */
class AttackOfThreadTests {

	private static final long TIMEOUT_SECONDS = 30;

	@Test
	void eachLoopOfAGroupIsFoundFromItsOwnThreadAndFromAnyOtherThread() throws Exception {
		EventLoopGroup group = EventLoopGroup.builder("of-thread").threads(3).build();
		try {
			for (EventLoop loop : group.loops()) {
				Thread thread = loop.submit(Thread::currentThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				// asked from the test thread, about the loop's thread
				assertThat(EventLoop.ofThread(thread)).containsSame(loop);
				// asked on the loop, about its own thread: the same as current()
				Optional<EventLoop> own = loop.submit(() -> EventLoop.ofThread(Thread.currentThread()))
					.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
				assertThat(own).containsSame(loop).isEqualTo(loop.submit(EventLoop::current).join());
				// asked on another loop of the group, about this loop's thread
				EventLoop other = group.loops().get((group.loops().indexOf(loop) + 1) % group.size());
				assertThat(other.submit(() -> EventLoop.ofThread(thread)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
					.containsSame(loop);
			}
		}
		finally {
			group.close();
		}
	}

	@Test
	void aThreadThatRunsNoLoopHasNoneEvenWhenALoopTaskCreatedIt() throws Exception {
		EventLoop loop = EventLoop.builder("of-thread-parent").build();
		try {
			assertThat(EventLoop.ofThread(Thread.currentThread())).isEmpty();
			// a platform thread started by a task on the loop inherits nothing of it
			CompletableFuture<Optional<EventLoop>> seenFromChild = new CompletableFuture<>();
			CompletableFuture<Optional<EventLoop>> seenByParent = new CompletableFuture<>();
			loop.execute(() -> {
				Thread child = new Thread(() -> seenFromChild.complete(EventLoop.ofThread(Thread.currentThread())),
						"child-of-loop");
				seenByParent.complete(EventLoop.ofThread(child));
				child.start();
			});
			assertThat(seenByParent.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
			assertThat(seenFromChild.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
		}
		finally {
			loop.close();
		}
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void aVirtualThreadStartedByALoopTaskHasNoLoop() throws Throwable {
		// Thread.startVirtualThread(Runnable), looked up: the tests compile for Java 17
		MethodHandle startVirtualThread = MethodHandles.publicLookup()
			.findStatic(Thread.class, "startVirtualThread", MethodType.methodType(Thread.class, Runnable.class));
		EventLoop loop = EventLoop.builder("of-thread-virtual").build();
		try {
			CompletableFuture<Optional<EventLoop>> seenFromVirtual = new CompletableFuture<>();
			Thread virtual = loop.submit(() -> {
				try {
					return (Thread) startVirtualThread
						.invoke((Runnable) () -> seenFromVirtual.complete(EventLoop.ofThread(Thread.currentThread())));
				}
				catch (Throwable ex) {
					throw new IllegalStateException(ex);
				}
			}).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			assertThat(seenFromVirtual.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEmpty();
			assertThat(EventLoop.ofThread(virtual)).isEmpty();
		}
		finally {
			loop.close();
		}
	}

	@Test
	void theThreadOfATerminatedLoopStillNamesThatLoopWhichSaysItIsTerminated() throws Exception {
		EventLoop loop = EventLoop.builder("of-thread-terminated").build();
		Thread thread = loop.submit(Thread::currentThread).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
		loop.close();
		thread.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
		assertThat(thread.isAlive()).isFalse();
		// the thread runs no loop any more; what it returns is the loop it ran, which
		// tells the caller it is over (no other loop can take a thread over)
		assertThat(EventLoop.ofThread(thread)).containsSame(loop);
		assertThat(loop.state()).isEqualTo(LoopState.TERMINATED);
	}

}
