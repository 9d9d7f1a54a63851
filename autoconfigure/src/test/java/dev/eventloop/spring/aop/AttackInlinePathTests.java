package dev.eventloop.spring.aop;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.eventloop.BlockingOnLoopException;
import dev.eventloop.EventLoop;
import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import dev.eventloop.spring.OnEventLoop;
import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.expression.spel.standard.SpelExpressionParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Attacks on the {@code @OnEventLoop} inline path: the plan cache past its cap and across
 * target classes, key expressions against SpEL, proxies of either kind and the futures
 * callers get back.
 */
class AttackInlinePathTests {

	private static final long TIMEOUT_SECONDS = 10;

	private static final SpelExpressionParser parser = new SpelExpressionParser();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class))
		.withPropertyValues("eventloop.loops.inline.threads=1", "eventloop.loops.other.threads=1",
				"eventloop.loops.keyed.threads=4")
		.withUserConfiguration(AttackConfiguration.class);

	@Test
	void planCacheBeyondItsCapStillRoutesEachCallByItsTargetsPlan() {
		this.contextRunner.run((context) -> {
			EventLoopMethodInterceptor interceptor = new EventLoopMethodInterceptor(context.getBeanFactory());
			EventLoopGroup keyed = context.getBean("keyed", EventLoopGroup.class);
			Object[] targets = { new ByFirst(), new BySecond(), new NotOnLoop() };
			int copies = 5_000;
			for (int i = 0; i < copies; i++) {
				// Class.getMethod hands out a new copy of the Method each time: past 4096
				// copies the identity cache is full
				Method method = Where.class.getMethod("where", String.class, String.class);
				String first = "first-" + i;
				String second = "second-" + i;
				for (int t = 0; t < targets.length; t++) {
					// every target class gets to be the first one a copy is called on
					Object target = targets[(i + t) % targets.length];
					Object result = interceptor.invoke(new Call(method, target, first, second));
					String expected = (target instanceof ByFirst) ? keyed.forKey(first).name()
							: (target instanceof BySecond) ? keyed.forKey(second).name() : "none";
					assertThat(result).isInstanceOf(CompletableFuture.class);
					assertThat(((CompletableFuture<?>) result).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
						.as("call %d on %s", i, target.getClass().getSimpleName())
						.isEqualTo(expected);
				}
			}
			Field known = MethodPlans.class.getDeclaredField("known");
			known.setAccessible(true);
			assertThat((Map<?, ?>) known.get(interceptor.plans())).hasSizeLessThanOrEqualTo(4096);
		});
	}

	@Test
	void racingFirstCallsOfManyMethodCopiesOnSeveralTargetClassesRouteEachByItsPlan() {
		this.contextRunner.run((context) -> {
			EventLoopMethodInterceptor interceptor = new EventLoopMethodInterceptor(context.getBeanFactory());
			EventLoopGroup keyed = context.getBean("keyed", EventLoopGroup.class);
			Object[] targets = { new ByFirst(), new BySecond(), new NotOnLoop() };
			int callers = 4;
			int copiesEach = 1_500;
			List<CompletableFuture<Void>> done = new ArrayList<>();
			ExecutorService pool = Executors.newFixedThreadPool(callers);
			for (int c = 0; c < callers; c++) {
				int caller = c;
				done.add(CompletableFuture.runAsync(() -> {
					try {
						for (int i = 0; i < copiesEach; i++) {
							// copies made and remembered by racing threads
							Method method = Where.class.getMethod("where", String.class, String.class);
							Object target = targets[(caller + i) % targets.length];
							String first = caller + "-first-" + i;
							String second = caller + "-second-" + i;
							Object result = interceptor.invoke(new Call(method, target, first, second));
							String expected = (target instanceof ByFirst) ? keyed.forKey(first).name()
									: (target instanceof BySecond) ? keyed.forKey(second).name() : "none";
							assertThat(((CompletableFuture<?>) result).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
								.as("caller %d call %d on %s", caller, i, target.getClass().getSimpleName())
								.isEqualTo(expected);
						}
					}
					catch (Throwable ex) {
						throw new AssertionError(ex);
					}
				}, pool));
			}
			try {
				CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			}
			finally {
				pool.shutdownNow();
			}
			Field known = MethodPlans.class.getDeclaredField("known");
			known.setAccessible(true);
			assertThat((Map<?, ?>) known.get(interceptor.plans())).hasSizeLessThanOrEqualTo(4096);
		});
	}

	@Test
	void keyExpressionGivesWhatSpelGivesOverAMethodBasedEvaluationContext() throws Exception {
		List<Method> methods = new ArrayList<>(Arrays.asList(KeyMethods.class.getDeclaredMethods()));
		// compiled without -parameters: only the indexed names are bound
		Method noNames = Objects.class.getMethod("equals", Object.class, Object.class);
		assumeThat(noNames.getParameters()[0].isNamePresent()).isFalse();
		methods.add(noNames);
		methods.add(String.class.getMethod("format", String.class, Object[].class));
		// a bridge method and the method it bridges
		methods.add(StringHandler.class.getMethod("handle", Object.class));
		methods.add(StringHandler.class.getMethod("handle", String.class));
		String[] expressions = { "#p0", "#p1", "#p2", "#a0", "#a1", "#a2", "#id", "#first", "#rest", "#root", "#this",
				"#root[0]", "#p0 + '-' + #p1", "#nosuch", "#a0?.length()", "#root.length", "#p1 ?: 'none'",
				"#id = 'set'", "#args", "#format", "(#p0 = 'set') + #id + #p0", "(#a1 = 'set') + #first + #a1",
				"#nosuch + (#p0 = 'set') + #p0", "#a0 + ((#p0 = null) ?: 'gone') + #p0",
				"((#id = null) ?: 'gone') + #id", "#root.length + (#id = 'set') + #id", "#root.?[#this != null].size()",
				"#root.![#this + '/' + #p0][0]", "{#p0, #a1}", "#p0 == #p1" };
		int compared = 0;
		for (Method method : methods) {
			for (Object[] arguments : argumentsFor(method)) {
				for (String expression : expressions) {
					assertSameOutcome(method, expression, arguments);
					compared++;
				}
			}
		}
		assertThat(compared).isGreaterThan(500);
	}

	private static void assertSameOutcome(Method method, String expression, Object[] arguments) {
		String what = EventLoopMethod.describe(method) + " key " + expression + " arguments "
				+ Arrays.deepToString(arguments);
		Object expected;
		Throwable expectedFailure = null;
		try {
			expected = parser.parseExpression(expression)
				.getValue(new MethodBasedEvaluationContext(arguments.clone(), method, arguments.clone(),
						new DefaultParameterNameDiscoverer()));
		}
		catch (RuntimeException ex) {
			expected = null;
			expectedFailure = ex;
		}
		KeyExpression key = KeyExpression.parse(method, expression);
		Object actual;
		try {
			actual = key.value(arguments.clone());
		}
		catch (RuntimeException ex) {
			if (expectedFailure != null) {
				assertThat(ex).as(what).isInstanceOf(expectedFailure.getClass());
			}
			else {
				assertThat(expected).as(what + " gave " + ex).isNull();
				assertThat(ex).as(what)
					.isInstanceOf(IllegalArgumentException.class)
					.hasMessageContaining("'" + expression + "'")
					.hasMessageContaining("evaluated to null");
			}
			return;
		}
		assertThat(expectedFailure).as(what + " gave " + actual).isNull();
		// #root and #this are the argument array, a copy here: compare contents
		assertThat(Objects.deepEquals(deep(actual), deep(expected)))
			.as(what + " gave " + deep(actual) + " not " + deep(expected))
			.isTrue();
	}

	private static @Nullable Object deep(@Nullable Object value) {
		if (value instanceof List<?> list) {
			return Arrays.asList(list.stream().map(AttackInlinePathTests::deep).toArray());
		}
		if (value instanceof Object[] array) {
			return Arrays.asList(Arrays.stream(array).map(AttackInlinePathTests::deep).toArray());
		}
		return value;
	}

	private static List<Object[]> argumentsFor(Method method) {
		int count = method.getParameterCount();
		List<Object[]> all = new ArrayList<>();
		Object[] full = new Object[count];
		for (int i = 0; i < count; i++) {
			full[i] = (method.isVarArgs() && i == count - 1) ? new Object[] { "r0", "r1" } : "v" + i;
		}
		all.add(full);
		for (int i = 0; i < count; i++) {
			Object[] withNull = full.clone();
			withNull[i] = null;
			all.add(withNull);
		}
		if (method.isVarArgs()) {
			// flattened varargs: more arguments than parameters
			Object[] flattened = Arrays.copyOf(full, count + 2);
			flattened[count - 1] = "r0";
			flattened[count] = "r1";
			flattened[count + 1] = "r2";
			all.add(flattened);
		}
		return all;
	}

	@Test
	void keyOfABridgedOrOverloadedMethodRoutesTheSameThroughJdkAndCglibProxies() {
		this.contextRunner.run((context) -> {
			EventLoopMethodInterceptor interceptor = new EventLoopMethodInterceptor(context.getBeanFactory());
			EventLoopGroup keyed = context.getBean("keyed", EventLoopGroup.class);
			for (boolean cglib : new boolean[] { false, true }) {
				ProxyFactory factory = new ProxyFactory(new StringHandler());
				factory.setProxyTargetClass(cglib);
				if (!cglib) {
					factory.setInterfaces(Handler.class);
				}
				factory.addAdvice(interceptor);
				@SuppressWarnings("unchecked")
				Handler<String> handler = (Handler<String>) factory.getProxy();
				assertThat(AopProxyKind.of(handler)).isEqualTo(cglib ? AopProxyKind.CGLIB : AopProxyKind.JDK);
				for (int i = 0; i < 200; i++) {
					String id = "id-" + i;
					assertThat(handler.handle(id).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
						.as("%s proxy, key %s", cglib ? "CGLIB" : "JDK", id)
						.isEqualTo(keyed.forKey(id).name());
					if (cglib) {
						StringHandler overloaded = (StringHandler) handler;
						assertThat(overloaded.handle(id, i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
							.as("overload keyed by #p1, key %d", i)
							.isEqualTo(keyed.forKey(i).name());
					}
				}
			}
		});
	}

	@Test
	void everyFutureACallerGetsIsALoopFutureThatRefusesToBlockALoop() {
		this.contextRunner.run((context) -> {
			ShapeService service = context.getBean(ShapeService.class);
			EventLoop inline = context.getBean("inline", EventLoop.class);
			EventLoop other = context.getBean("other", EventLoop.class);
			List<Callable<CompletionStage<String>>> shapes = List.of(() -> service.completed("done"),
					() -> service.stage("staged"), () -> service.nullValued(), () -> service.failed(),
					() -> service.pending(), () -> service.loopFuture("own"));
			for (EventLoop caller : Arrays.asList(null, inline, other)) {
				for (int s = 0; s < shapes.size(); s++) {
					Callable<CompletionStage<String>> shape = shapes.get(s);
					service.armPending();
					String what = "shape " + s + " called from " + ((caller != null) ? caller.name() : "no loop");
					Callable<Object[]> call = () -> {
						CompletionStage<String> stage = shape.call();
						CompletableFuture<String> future = stage.toCompletableFuture();
						// on a loop, blocking on a future that is not done is refused
						Throwable joined = (caller != null && !future.isDone()) ? catchThrowable(future::join) : null;
						return new Object[] { stage, joined };
					};
					Object[] outcome = (caller != null) ? caller.submit(call).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
							: call.call();
					assertThat(outcome[0]).as(what).isInstanceOf(LoopFuture.class);
					if (outcome[1] != null) {
						assertThat((Throwable) outcome[1]).as(what).isInstanceOf(BlockingOnLoopException.class);
					}
					service.completePending("later");
					CompletableFuture<?> future = (CompletableFuture<?>) outcome[0];
					Throwable failure = catchThrowable(() -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
					if (s == 3) {
						assertThat(failure).as(what).hasRootCauseInstanceOf(IllegalStateException.class);
					}
					else {
						assertThat(failure).as(what).isNull();
						assertThat(future.join()).as(what)
							.isEqualTo(new String[] { "done", "staged", null, null, "later", "own" }[s]);
					}
				}
			}
		});
	}

	@Test
	void nullKeyFailsTheCallWithAnErrorNamingTheExpressionAndTheMethod() {
		this.contextRunner.run((context) -> {
			ShapeService service = context.getBean(ShapeService.class);
			EventLoop inline = context.getBean("inline", EventLoop.class);
			Throwable offLoop = catchThrowable(() -> service.keyed(null).get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
			Throwable onLoop = inline.submit(() -> catchThrowable(() -> service.keyed(null).join()))
				.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			for (Throwable failure : new Throwable[] { offLoop, onLoop }) {
				Throwable cause = (failure instanceof IllegalArgumentException) ? failure : failure.getCause();
				assertThat(cause).isInstanceOf(IllegalArgumentException.class)
					.hasMessageContaining("'#id'")
					.hasMessageContaining("ShapeService.keyed(String)")
					.hasMessageContaining("evaluated to null");
			}
		});
	}

	static CompletableFuture<String> currentLoop() {
		return CompletableFuture.completedFuture(EventLoop.current().map(EventLoop::name).orElse("none"));
	}

	enum AopProxyKind {

		JDK, CGLIB;

		static AopProxyKind of(Object proxy) {
			return java.lang.reflect.Proxy.isProxyClass(proxy.getClass()) ? JDK : CGLIB;
		}

	}

	/**
	 * A call as an AOP proxy hands it to the interceptor.
	 */
	static final class Call implements MethodInvocation {

		private final Method method;

		private final Object target;

		private final Object[] arguments;

		Call(Method method, Object target, Object... arguments) {
			this.method = method;
			this.target = target;
			this.arguments = arguments;
		}

		@Override
		public Method getMethod() {
			return this.method;
		}

		@Override
		public Object[] getArguments() {
			return this.arguments;
		}

		@Override
		public @Nullable Object proceed() throws Throwable {
			try {
				return this.method.invoke(this.target, this.arguments);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		}

		@Override
		public Object getThis() {
			return this.target;
		}

		@Override
		public AccessibleObject getStaticPart() {
			return this.method;
		}

	}

	interface Where {

		CompletableFuture<String> where(String first, String second);

	}

	@OnEventLoop(value = "keyed", key = "#first")
	public static class ByFirst implements Where {

		@Override
		public CompletableFuture<String> where(String first, String second) {
			return currentLoop();
		}

	}

	@OnEventLoop(value = "keyed", key = "#p1")
	public static class BySecond implements Where {

		@Override
		public CompletableFuture<String> where(String first, String second) {
			return currentLoop();
		}

	}

	public static class NotOnLoop implements Where {

		@Override
		public CompletableFuture<String> where(String first, String second) {
			return currentLoop();
		}

	}

	interface Handler<T> {

		CompletableFuture<String> handle(T id);

	}

	@OnEventLoop(value = "keyed", key = "#id")
	public static class StringHandler implements Handler<String> {

		@Override
		public CompletableFuture<String> handle(String id) {
			return currentLoop();
		}

		@OnEventLoop(value = "keyed", key = "#p1")
		public CompletableFuture<String> handle(String id, int n) {
			return currentLoop();
		}

	}

	static class KeyMethods {

		void collide(String p1, String p0) {
		}

		void shadowIndex(String id, String a0) {
		}

		void root(String root, String id) {
		}

		void varargs(String first, Object... rest) {
		}

		void one(String id) {
		}

		void one(String id, String other) {
		}

		void args(String args, String format) {
		}

		void none() {
		}

	}

	public static class ShapeService {

		private volatile CompletableFuture<String> pending = new CompletableFuture<>();

		@OnEventLoop("inline")
		public CompletableFuture<String> completed(String value) {
			return CompletableFuture.completedFuture(value);
		}

		@OnEventLoop("inline")
		public CompletionStage<String> stage(String value) {
			return CompletableFuture.completedStage(value);
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> nullValued() {
			return CompletableFuture.completedFuture(null);
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> failed() {
			return CompletableFuture.failedFuture(new IllegalStateException("failed"));
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> pending() {
			return this.pending;
		}

		@OnEventLoop("inline")
		public CompletableFuture<String> loopFuture(String value) {
			return LoopFuture.completed(value);
		}

		@OnEventLoop(value = "keyed", key = "#id")
		public CompletableFuture<String> keyed(String id) {
			return currentLoop();
		}

		public void armPending() {
			this.pending = new CompletableFuture<>();
		}

		public void completePending(String value) {
			this.pending.complete(value);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AttackConfiguration {

		@Bean
		ShapeService shapeService() {
			return new ShapeService();
		}

	}

}
