package dev.eventloop;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * Asynchronous work run on loops one at a time per key, until its future completes: the
 * {@link KeyLanes} of each target group, and the tasks in them. Behind
 * {@link AsyncContext#dispatchSequentially}.
 */
final class SequentialDispatch {

	// the lanes of each target group, created on first use by any thread
	private final Map<EventLoopGroup, KeyLanes<KeyedTask<?>>> lanes = new ConcurrentHashMap<>();

	<T extends @Nullable Object> LoopFuture<T> dispatch(EventLoopGroup target, Object key,
			Callable<? extends CompletionStage<T>> task) {
		KeyLanes<KeyedTask<?>> keyLanes = this.lanes.computeIfAbsent(target, (group) -> new KeyLanes<>());
		KeyedTask<T> keyed = new KeyedTask<>(keyLanes, target.forKey(key), key, task);
		if (keyLanes.enter(key, keyed)) {
			keyed.startOrSkip(false);
		}
		return keyed.result;
	}

	/**
	 * One task in the lane of its key. Its result is completed by whichever thread
	 * completes the task's stage (usually the key's loop), or by the thread that finds it
	 * rejected, cancelled or abandoned. Queued on its loop as a {@link LoopTask}, so that
	 * a shutdown that abandons it fails its result and moves its key on.
	 */
	private static final class KeyedTask<T extends @Nullable Object> implements LoopTask {

		private final KeyLanes<KeyedTask<?>> lanes;

		private final EventLoop loop;

		private final Object key;

		private final Callable<? extends CompletionStage<T>> task;

		final LoopFuture<T> result = new LoopFuture<>();

		KeyedTask(KeyLanes<KeyedTask<?>> lanes, EventLoop loop, Object key,
				Callable<? extends CompletionStage<T>> task) {
			this.lanes = lanes;
			this.loop = loop;
			this.key = key;
			this.task = task;
		}

		/**
		 * Start this task, which the lanes have just made its key's current one, and any
		 * next ones of the key that are skipped (cancelled before they started, or
		 * refused by the loop), in a loop rather than by recursion.
		 * @param successor whether the task follows an earlier task of its key, rather
		 * than entering an idle key
		 */
		void startOrSkip(boolean successor) {
			KeyedTask<?> current = this;
			boolean following = successor;
			while (current != null && !current.start(following)) {
				current = this.lanes.leave(this.key);
				following = true;
			}
		}

		/**
		 * Queue this task on its loop; return {@code false} if it is done without having
		 * run (its result cancelled, or the loop refused it), so the key moves on. A task
		 * entering an idle key is new work, queued as any task is; one that follows an
		 * earlier task of its key was accepted when it was dispatched, and its turn is a
		 * continuation of that task, which the queue's bound does not refuse.
		 */
		private boolean start(boolean successor) {
			if (this.result.isDone()) {
				return false;
			}
			try {
				if (successor) {
					this.loop.executeInternal(new Turn(this));
				}
				else {
					this.loop.execute(this);
				}
				return true;
			}
			catch (RejectedExecutionException ex) {
				this.result.completeExceptionally(ex);
				return false;
			}
		}

		// loop thread
		@Override
		public void execute() {
			if (this.result.isDone()) {
				done();
				return;
			}
			CompletionStage<T> stage;
			try {
				stage = this.task.call();
				if (stage == null) {
					throw new NullPointerException("The task for key " + this.key + " returned null, not a future");
				}
			}
			catch (Throwable ex) {
				this.result.completeExceptionally(ex);
				done();
				return;
			}
			// cancelling the result cancels the task's future, if it can be cancelled;
			// the key moves on when that future completes, however it does
			this.result.whenComplete((value, failure) -> {
				if (this.result.isCancelled()) {
					cancel(stage);
				}
			});
			stage.whenComplete((value, failure) -> {
				if (failure == null) {
					this.result.complete(value);
				}
				else {
					this.result
						.completeExceptionally((failure instanceof CompletionException && failure.getCause() != null)
								? failure.getCause() : failure);
				}
				done();
			});
		}

		@Override
		public void deliver() {
			// the result is completed by the task's stage
		}

		@Override
		public void fail(Throwable failure) {
			this.result.completeExceptionally(failure);
			done();
		}

		@Override
		public void abandon(RejectedExecutionException cause) {
			this.result.completeExceptionally(cause);
			done();
		}

		private void done() {
			KeyedTask<?> next = this.lanes.leave(this.key);
			if (next != null) {
				next.startOrSkip(true);
			}
		}

		private static void cancel(CompletionStage<?> stage) {
			try {
				stage.toCompletableFuture().cancel(false);
			}
			catch (UnsupportedOperationException ex) {
				// a stage that cannot be cancelled runs to completion
			}
		}

	}

	/**
	 * The turn of a task that follows an earlier task of its key: internal work, like a
	 * completion hop, run as the task itself.
	 */
	private static final class Turn extends InternalTask {

		private final KeyedTask<?> task;

		Turn(KeyedTask<?> task) {
			this.task = task;
		}

		@Override
		public void execute() {
			this.task.execute();
		}

		@Override
		public void deliver() {
		}

		@Override
		public void fail(Throwable failure) {
			this.task.fail(failure);
		}

		@Override
		public void abandon(RejectedExecutionException cause) {
			this.task.abandon(cause);
		}

	}

}
