package dev.eventloop.spring.autoconfigure.coroutines

import dev.eventloop.spring.aop.SuspendingMethods
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.springframework.boot.autoconfigure.AutoConfigurations
import org.springframework.boot.test.context.FilteredClassLoader
import org.springframework.boot.test.context.runner.ApplicationContextRunner

class EventLoopCoroutinesAutoConfigurationTests {

	private val contextRunner = ApplicationContextRunner().withConfiguration(
		AutoConfigurations.of(EventLoopAutoConfiguration::class.java, OnEventLoopAutoConfiguration::class.java,
			EventLoopCoroutinesAutoConfiguration::class.java),
	)

	@Test
	fun `runWithCoroutinesShouldRunSuspendMethodsOnLoops`() {
		contextRunner.run { context -> assertThat(context).hasSingleBean(SuspendingMethods::class.java) }
	}

	@Test
	fun `runWhenEventLoopsAreDisabledShouldNotRunSuspendMethods`() {
		contextRunner.withPropertyValues("eventloop.enabled=false")
			.run { context -> assertThat(context).doesNotHaveBean(SuspendingMethods::class.java) }
	}

	@Test
	fun `runWithoutTheReactorBridgeShouldNotRunSuspendMethods`() {
		contextRunner.withClassLoader(FilteredClassLoader("kotlinx.coroutines.reactor"))
			.run { context -> assertThat(context).doesNotHaveBean(SuspendingMethods::class.java) }
	}

	@Test
	fun `runWithAnApplicationRunnerShouldKeepIt`() {
		val own = object : SuspendingMethods {
			override fun onLoop(loop: dev.eventloop.EventLoop, invocation: org.aopalliance.intercept.MethodInvocation) =
				null

			override fun sequentially(context: dev.eventloop.AsyncContext, group: dev.eventloop.EventLoopGroup,
				key: Any, invocation: org.aopalliance.intercept.MethodInvocation): Any = Unit

			override fun offload(context: dev.eventloop.AsyncContext,
				invocation: org.aopalliance.intercept.MethodInvocation) = null
		}
		contextRunner.withBean(SuspendingMethods::class.java, { own })
			.run { context -> assertThat(context).getBean(SuspendingMethods::class.java).isSameAs(own) }
	}

}
