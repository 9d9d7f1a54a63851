package dev.eventloop.spring.autoconfigure.coroutines

import dev.eventloop.spring.aop.SuspendingMethods
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration
import dev.eventloop.spring.coroutines.ContextSnapshotElement
import dev.eventloop.spring.coroutines.LoopSuspendingMethods
import org.springframework.boot.autoconfigure.AutoConfiguration
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean
import org.springframework.context.annotation.Bean
import org.springframework.core.env.Environment
import org.springframework.util.ClassUtils

/**
 * Auto-configuration of Kotlin coroutines on event loops: `suspend` methods with
 * `@OnEventLoop` and `@Offload` run on their loop, with the caller's thread-local context
 * (`eventloop.propagate-context`, on by default when Micrometer's context-propagation is
 * present). Applies when kotlinx.coroutines (with its Reactor bridge, through which
 * Spring's proxies run suspend methods) and Kotlin reflection are present.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = [OnEventLoopAutoConfiguration::class])
@ConditionalOnClass(name = ["kotlinx.coroutines.reactor.MonoKt", "kotlin.reflect.full.KClasses"])
@ConditionalOnBooleanProperty(name = ["eventloop.enabled"], matchIfMissing = true)
public class EventLoopCoroutinesAutoConfiguration {

	/**
	 * The runner of `suspend` methods for the `@OnEventLoop` interceptor.
	 * @param environment where `eventloop.propagate-context` is read
	 * @return the runner
	 */
	@Bean
	@ConditionalOnMissingBean
	public fun eventLoopSuspendingMethods(environment: Environment): SuspendingMethods {
		val propagate = environment.getProperty("eventloop.propagate-context", Boolean::class.java, true)
		return LoopSuspendingMethods(if (propagate && contextPropagationPresent) ContextSnapshotElement.capture() else null)
	}

	private companion object {

		val contextPropagationPresent: Boolean = ClassUtils.isPresent("io.micrometer.context.ContextSnapshotFactory",
			EventLoopCoroutinesAutoConfiguration::class.java.classLoader)

	}

}
