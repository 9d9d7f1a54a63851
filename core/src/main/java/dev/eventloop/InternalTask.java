package dev.eventloop;

/**
 * Work the runtime queues on a loop for its own purposes (completion hops, timer purges).
 * It is not a user task: it is not counted, and user-facing capacity never refuses it.
 */
abstract class InternalTask implements LoopTask {

	@Override
	public final boolean internal() {
		return true;
	}

}
