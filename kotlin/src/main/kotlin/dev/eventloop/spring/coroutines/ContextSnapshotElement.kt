package dev.eventloop.spring.coroutines

import io.micrometer.context.ContextRegistry
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

	companion object Key : CoroutineContext.Key<ContextSnapshotElement> {

		/**
		 * Return what captures the calling thread's context into a new element, as the
		 * Java tasks' decorator does: what Micrometer's global registry knows, nothing else
		 * kept. Only called when context-propagation is present: no signature outside this
		 * class names its types.
		 */
		fun capture(): () -> CoroutineContext.Element {
			val factory = ContextSnapshotFactory.builder()
				.contextRegistry(ContextRegistry.getInstance())
				.clearMissing(true)
				.build()
			return { ContextSnapshotElement(factory) }
		}

	}

}
