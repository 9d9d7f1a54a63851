package dev.eventloop.spring.reliability;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.autoproxy.BeanNameAutoProxyCreator;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @OnEventLoop} on the interface of a bean that is already a JDK dynamic proxy: a
 * proxy with no target (as HTTP service clients are built), a plain
 * {@link Proxy#newProxyInstance} proxy, and an interface proxy from an auto-proxy
 * creator. The annotated methods run on their loop; startup does not ask for changes to
 * the generated proxy class.
 */
class JdkProxyBeanTests {

	private static final long TIMEOUT_SECONDS = 10;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.orders.threads=2", "eventloop.loops.pricing.threads=1");

	@Test
	void interfaceMethodsOfAProxyWithoutTargetRunOnTheirLoops() {
		this.contextRunner.withUserConfiguration(TargetlessProxyConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertRunsOnTheLoops(context.getBean(Quotes.class), context.getBean("orders", EventLoopGroup.class));
		});
	}

	@Test
	void interfaceMethodsOfAPlainJdkProxyRunOnTheirLoops() {
		this.contextRunner.withUserConfiguration(PlainProxyConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertRunsOnTheLoops(context.getBean(Quotes.class), context.getBean("orders", EventLoopGroup.class));
		});
	}

	@Test
	void interfaceMethodsOfAnAutoProxiedBeanRunOnTheirLoops() {
		this.contextRunner.withUserConfiguration(AutoProxyConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			Quotes quotes = context.getBean(Quotes.class);
			assertThat(Proxy.isProxyClass(quotes.getClass())).isTrue();
			assertRunsOnTheLoops(quotes, context.getBean("orders", EventLoopGroup.class));
			assertThat(context.getBean(AutoProxyConfiguration.class).intercepted).contains("price", "customerLoop");
		});
	}

	@Test
	void typeLevelAnnotationOnTheInterfaceOfAJdkProxyRunsEveryMethodOnTheLoop() {
		this.contextRunner.withUserConfiguration(TypeLevelProxyConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			Audit audit = context.getBean(Audit.class);
			assertThat(audit.thread()).isEqualTo("pricing");
			assertThat(audit.later().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo("pricing");
		});
	}

	private void assertRunsOnTheLoops(Quotes quotes, EventLoopGroup orders) throws Exception {
		assertThat(quotes.price("apples")).isEqualTo("apples on pricing");
		for (String customer : List.of("alice", "bob", "carol", "dave")) {
			assertThat(quotes.customerLoop(customer).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
				.isEqualTo(orders.forKey(customer).name());
		}
	}

	public interface Quotes {

		@OnEventLoop("pricing")
		String price(String item);

		@OnEventLoop(value = "orders", key = "#customer")
		CompletableFuture<String> customerLoop(String customer);

	}

	@OnEventLoop("pricing")
	public interface Audit {

		String thread();

		CompletableFuture<String> later();

	}

	static class SimpleQuotes implements Quotes {

		@Override
		public String price(String item) {
			return item + " on " + Thread.currentThread().getName();
		}

		@Override
		public CompletableFuture<String> customerLoop(String customer) {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TargetlessProxyConfiguration {

		@Bean
		Quotes quotes() {
			SimpleQuotes quotes = new SimpleQuotes();
			MethodInterceptor remote = (invocation) -> invocation.getMethod().invoke(quotes, invocation.getArguments());
			return ProxyFactory.getProxy(Quotes.class, remote);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PlainProxyConfiguration {

		@Bean
		Quotes quotes() {
			SimpleQuotes quotes = new SimpleQuotes();
			return (Quotes) Proxy.newProxyInstance(Quotes.class.getClassLoader(), new Class<?>[] { Quotes.class },
					(proxy, method, arguments) -> method.invoke(quotes, arguments));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AutoProxyConfiguration {

		final List<String> intercepted = new CopyOnWriteArrayList<>();

		@Bean
		static BeanNameAutoProxyCreator quotesProxyCreator() {
			BeanNameAutoProxyCreator creator = new BeanNameAutoProxyCreator();
			creator.setBeanNames("quotes");
			creator.setInterceptorNames("recordingInterceptor");
			return creator;
		}

		@Bean
		MethodInterceptor recordingInterceptor() {
			return (invocation) -> {
				this.intercepted.add(invocation.getMethod().getName());
				return invocation.proceed();
			};
		}

		@Bean
		Quotes quotes() {
			return new SimpleQuotes();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TypeLevelProxyConfiguration {

		@Bean
		Audit audit() {
			return ProxyFactory.getProxy(Audit.class, (MethodInterceptor) (invocation) -> {
				String thread = Thread.currentThread().getName();
				return invocation.getMethod().getName().equals("later") ? CompletableFuture.completedFuture(thread)
						: thread;
			});
		}

	}

}
