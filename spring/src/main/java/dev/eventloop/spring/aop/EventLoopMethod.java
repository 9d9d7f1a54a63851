package dev.eventloop.spring.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

import dev.eventloop.EventLoopGroup;
import dev.eventloop.LoopFuture;
import dev.eventloop.spring.EventLoopBeans;
import dev.eventloop.spring.Offload;
import dev.eventloop.spring.OnEventLoop;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.KotlinDetector;
import org.springframework.core.ReactiveAdapter;
import org.springframework.core.ReactiveAdapterRegistry;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * What the proxy does for one {@link OnEventLoop @OnEventLoop} or
 * {@link Offload @Offload} method: worked out once, when the bean is proxied at startup,
 * so that a bad key expression or loop name fails startup rather than the first call. The
 * one model of "a method that runs on a loop": the Kafka record dispatch works from it
 * too. Support for the starter's own modules, not an API for applications.
 *
 * @since 0.1.0
 */
public final class EventLoopMethod {

	private static final boolean reactorPresent = ClassUtils.isPresent("reactor.core.publisher.Flux",
			EventLoopMethod.class.getClassLoader());

	// what a suspend method needs: Spring's proxies run it through
	// kotlinx-coroutines-reactor,
	// and the eventloop-kotlin module puts it on the loop
	private static final boolean coroutinesPresent = ClassUtils.isPresent("kotlinx.coroutines.reactor.MonoKt",
			EventLoopMethod.class.getClassLoader())
			&& ClassUtils.isPresent("dev.eventloop.coroutines.EventLoopDispatcher",
					EventLoopMethod.class.getClassLoader());

	enum Mode {

		ON_EVENT_LOOP, OFFLOAD

	}

	enum ReturnKind {

		FUTURE, VOID, REACTIVE, BLOCKING, SUSPEND

	}

	private final Method method;

	private final Mode mode;

	private final String loopName;

	private final @Nullable KeyExpression key;

	private final ReturnKind returnKind;

	// whether calls of one key wait for each other's futures (@OnEventLoop(sequential))
	private final boolean sequential;

	// the adapter of a reactive return type (REACTIVE only)
	private final @Nullable ReactiveAdapter reactiveAdapter;

	// resolved on first call by any caller thread; racing resolutions find the same bean
	private volatile @Nullable EventLoopGroup group;

	private EventLoopMethod(Method method, Mode mode, String loopName, @Nullable KeyExpression key,
			ReturnKind returnKind, boolean sequential) {
		this.method = method;
		this.sequential = sequential;
		this.mode = mode;
		this.loopName = loopName;
		this.key = key;
		this.returnKind = returnKind;
		this.reactiveAdapter = (returnKind == ReturnKind.REACTIVE) ? reactiveAdapter(method.getReturnType()) : null;
	}

	/**
	 * Work out the plan for a method of the target class, or return {@code null} when it
	 * is not to be intercepted.
	 * @param method the most specific method of the target class
	 * @param targetClass the target class, whose {@code @OnEventLoop} applies to its
	 * public methods
	 * @return the plan, or {@code null}
	 * @throws InvalidEventLoopMethodException if the annotations cannot be honoured
	 */
	public static @Nullable EventLoopMethod of(Method method, Class<?> targetClass) {
		if (method.getDeclaringClass() == Object.class) {
			return null;
		}
		Offload offload = AnnotatedElementUtils.findMergedAnnotation(method, Offload.class);
		OnEventLoop onMethod = AnnotatedElementUtils.findMergedAnnotation(method, OnEventLoop.class);
		if (offload != null || onMethod != null) {
			checkInterceptable(method, (onMethod != null) ? "@OnEventLoop" : "@Offload");
		}
		if (!Modifier.isPublic(method.getModifiers()) || Modifier.isStatic(method.getModifiers())) {
			return null;
		}
		if (offload != null && onMethod != null) {
			throw new InvalidEventLoopMethodException(describe(method),
					"is annotated with both @OnEventLoop and @Offload",
					"Keep @OnEventLoop to run it on a loop, or @Offload to run blocking work off the loops, on "
							+ describe(method) + ".");
		}
		ReturnKind returnKind = returnKind(method);
		if (offload != null) {
			return new EventLoopMethod(method, Mode.OFFLOAD, "", null, returnKind, false);
		}
		OnEventLoop annotation = (onMethod != null) ? onMethod
				: AnnotatedElementUtils.findMergedAnnotation(targetClass, OnEventLoop.class);
		if (annotation == null) {
			return null;
		}
		KeyExpression key = parseKey(method, annotation.key());
		if (annotation.sequential() && key == null) {
			throw new InvalidEventLoopMethodException(describe(method),
					"is @OnEventLoop(sequential = true) without a key",
					"Give " + describe(method) + " a key, such as key = \"#p0\", or remove sequential = true.");
		}
		if (annotation.sequential() && returnKind != ReturnKind.SUSPEND
				&& !CompletionStage.class.isAssignableFrom(method.getReturnType())) {
			throw new InvalidEventLoopMethodException(describe(method),
					"is @OnEventLoop(sequential = true) but returns " + method.getReturnType().getName()
							+ ", not a future to wait for",
					"Declare CompletableFuture or CompletionStage as the return type of " + describe(method)
							+ " (or make it a Kotlin suspend function), or remove sequential = true.");
		}
		return new EventLoopMethod(method, Mode.ON_EVENT_LOOP, annotation.value(), key, returnKind,
				annotation.sequential());
	}

	private static @Nullable KeyExpression parseKey(Method method, String key) {
		return StringUtils.hasText(key) ? KeyExpression.parse(method, key) : null;
	}

	private static ReturnKind returnKind(Method method) {
		if (KotlinDetector.isSuspendingFunction(method)) {
			checkCoroutines(method);
			return ReturnKind.SUSPEND;
		}
		Class<?> type = method.getReturnType();
		if (type == void.class) {
			return ReturnKind.VOID;
		}
		if (type != Object.class && type.isAssignableFrom(LoopFuture.class)) {
			return ReturnKind.FUTURE;
		}
		if (Future.class.isAssignableFrom(type) || java.util.concurrent.CompletionStage.class.isAssignableFrom(type)) {
			throw new InvalidEventLoopMethodException(describe(method),
					"returns " + type.getName() + ", which the event-loop proxy cannot create",
					"Change the return type of " + describe(method)
							+ ": declare CompletableFuture or CompletionStage instead.");
		}
		if (reactiveAdapter(type) != null) {
			return ReturnKind.REACTIVE;
		}
		return ReturnKind.BLOCKING;
	}

	private static void checkCoroutines(Method method) {
		if (!coroutinesPresent) {
			throw new InvalidEventLoopMethodException(describe(method),
					"is a Kotlin suspend function, which runs on a loop only with the eventloop-kotlin module and "
							+ "kotlinx-coroutines-reactor",
					"Add dev.eventloop:eventloop-kotlin and org.jetbrains.kotlinx:kotlinx-coroutines-reactor to the "
							+ "application's dependencies.");
		}
	}

	/**
	 * Return the adapter that Spring's shared {@link ReactiveAdapterRegistry} has for a
	 * return type (Reactor's types, and RxJava's or Kotlin's {@code Flow} when their
	 * adapters are present), or {@code null}; none without Reactor, through which the
	 * proxy relays the method's result.
	 */
	private static @Nullable ReactiveAdapter reactiveAdapter(Class<?> type) {
		if (!reactorPresent || type == Object.class) {
			return null;
		}
		return ReactiveAdapterRegistry.getSharedInstance().getAdapter(type);
	}

	/**
	 * Fail for an annotated method that a class-based proxy cannot intercept: calls to it
	 * would silently run on the caller's thread.
	 */
	private static void checkInterceptable(Method method, String annotation) {
		int modifiers = method.getModifiers();
		String problem = null;
		String action = null;
		if (Modifier.isStatic(modifiers)) {
			problem = "static";
			action = "Make " + describe(method) + " an instance method of the bean, or remove " + annotation + ".";
		}
		else if (Modifier.isPrivate(modifiers)) {
			problem = "private";
			action = "Make " + describe(method) + " public, or remove " + annotation + ".";
		}
		else if (!Modifier.isPublic(modifiers)) {
			problem = "not public";
			action = "Make " + describe(method) + " public, or remove " + annotation + ".";
		}
		else if (Modifier.isFinal(modifiers)) {
			problem = "final";
			action = "Remove 'final' from " + describe(method) + ", or remove " + annotation + ".";
		}
		if (problem != null) {
			throw new InvalidEventLoopMethodException(describe(method),
					"is annotated with " + annotation + " but is " + problem
							+ ", so the proxy cannot intercept it and its calls would run on the caller's thread",
					action);
		}
	}

	/**
	 * Describe a method in messages: its class, name and parameter types.
	 * @param method the method
	 * @return the description
	 */
	public static String describe(Method method) {
		return ClassUtils.getQualifiedMethodName(method) + "(" + StringUtils.arrayToCommaDelimitedString(
				java.util.Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toArray()) + ")";
	}

	Method method() {
		return this.method;
	}

	Mode mode() {
		return this.mode;
	}

	/**
	 * Return whether the method runs on a loop ({@code @OnEventLoop}) rather than off
	 * every loop ({@code @Offload}).
	 * @return whether it runs on a loop
	 */
	public boolean isOnEventLoop() {
		return this.mode == Mode.ON_EVENT_LOOP;
	}

	String loopName() {
		return this.loopName;
	}

	ReturnKind returnKind() {
		return this.returnKind;
	}

	ReactiveAdapter reactiveAdapter() {
		ReactiveAdapter adapter = this.reactiveAdapter;
		if (adapter == null) {
			throw new IllegalStateException("Method " + describe(this.method) + " has no reactive return type");
		}
		return adapter;
	}

	/**
	 * Return whether the method is a Kotlin {@code suspend} function, whose call Spring's
	 * proxy turns into a publisher of its result.
	 * @return whether the method suspends
	 */
	public boolean isSuspending() {
		return this.returnKind == ReturnKind.SUSPEND;
	}

	/**
	 * Return whether calls of one key wait for each other's futures.
	 * @return whether the method is {@code @OnEventLoop(sequential = true)}
	 */
	public boolean sequential() {
		return this.sequential;
	}

	/**
	 * Return whether the method's {@code @OnEventLoop} has a key expression.
	 * @return whether calls are routed by key
	 */
	public boolean hasKey() {
		return this.key != null;
	}

	/**
	 * Return the loop or group the method runs on, resolved on first use.
	 * @param beanFactory the factory that holds the loops
	 * @return the group
	 */
	public EventLoopGroup group(BeanFactory beanFactory) {
		EventLoopGroup group = this.group;
		if (group == null) {
			group = EventLoopBeans.get(beanFactory, this.loopName);
			this.group = group;
		}
		return group;
	}

	/**
	 * Evaluate the key expression against a call's arguments.
	 * @param arguments the arguments
	 * @return the key
	 * @throws IllegalArgumentException if the key is {@code null}
	 */
	public Object key(@Nullable Object[] arguments) {
		KeyExpression key = this.key;
		if (key == null) {
			throw new IllegalStateException("Method " + describe(this.method) + " has no key expression");
		}
		return key.value(arguments);
	}

	@Nullable KeyExpression keyExpression() {
		return this.key;
	}

}
