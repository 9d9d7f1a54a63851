package dev.eventloop;

import java.util.concurrent.RejectedExecutionException;

/**
 * A task given to {@link EventLoop#execute(Runnable)} that wants to know when the loop
 * will never run it. A loop that terminates with tasks still queued (its shutdown timeout
 * ran out, or the loop died) calls {@link #abandoned(RejectedExecutionException)} on each
 * such task instead of dropping it, so that whoever waits for it can be told. Tasks given
 * to {@code submit} or {@code schedule} need nothing of the kind: their futures fail. The
 * loop recognises the task itself: one wrapped by another {@code Runnable} on its way to
 * the loop (a decorator of {@link AsyncContext}, say) is dropped like any other.
 * <p>
 * For example, a coroutine dispatcher's resumption: abandoned, it cancels the coroutine
 * rather than leave it suspended for ever.
 *
 * @since 0.1.0
 */
public interface AbandonableTask extends Runnable {

	/**
	 * Called once, instead of {@link #run()}, when the loop terminated before the task
	 * ran. Called on the thread that sweeps the terminated loop's queue (not the loop's
	 * thread, in general); it must not block. An exception it throws is logged and does
	 * not stop the sweep.
	 * @param cause names the loop and why the task never ran
	 */
	void abandoned(RejectedExecutionException cause);

}
