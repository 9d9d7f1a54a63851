package dev.eventloop.spring.coroutines

import io.micrometer.context.ContextSnapshot
import io.micrometer.context.ContextSnapshotFactory
import kotlin.coroutines.AbstractCoroutineContextElement
import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.ThreadContextElement

/**
 * The caller's thread-local context (logging MDC, the current observation, whatever is
 * registered with Micrometer's context-propagation), captured when a suspend method is
 * called and restored around every step of its body on the loop, then put back as it was:
 * the coroutine sees its caller's context after each resumption, and the loop thread is
 * left as it was found for the next task.
 */
internal class ContextSnapshotElement(factory: ContextSnapshotFactory) :
	AbstractCoroutineContextElement(Key), ThreadContextElement<ContextSnapshot.Scope> {

	private val snapshot: ContextSnapshot = factory.captureAll()

	override fun updateThreadContext(context: CoroutineContext): ContextSnapshot.Scope = snapshot.setThreadLocals()

	override fun restoreThreadContext(context: CoroutineContext, oldState: ContextSnapshot.Scope) {
		oldState.close()
	}

	companion object Key : CoroutineContext.Key<ContextSnapshotElement>

}
