package dev.eventloop.spring.aop;

import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.eventloop.LoopFuture;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * Calling an intercepted method on a loop and turning what it returned into the future
 * the caller gets: the one place that proceeds and flattens for {@code @OnEventLoop},
 * {@code @Offload} and {@code @Async} on loops. Support for the starter's own modules,
 * not an API for applications.
 *
 * @since 0.1.0
 */
public final class MethodResults {

	private MethodResults() {
	}

	/**
	 * Proceed with a call, letting checked throwables that are not exceptions out as
	 * {@link UndeclaredThrowableException}s.
	 * @param invocation the call
	 * @return what the method returned
	 * @throws Exception what the method threw
	 */
	public static @Nullable Object proceed(MethodInvocation invocation) throws Exception {
		try {
			return invocation.proceed();
		}
		catch (Exception | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new UndeclaredThrowableException(ex);
		}
	}

	/**
	 * Call a method that returns a future, on its loop: return the future's result if it
	 * is a plain {@link CompletableFuture} that has already succeeded (so that a call run
	 * inline needs no second future), otherwise the method's future wrapped for
	 * {@link #flatten(LoopFuture, Method)}, or {@code null} for a {@code null} future.
	 * Runs on the loop, so that a failure of the method is counted there.
	 * @param invocation the call
	 * @return the result, or the method's future wrapped
	 * @throws Exception what the method threw
	 */
	public static @Nullable Object proceedUnwrapped(MethodInvocation invocation) throws Exception {
		Object result = proceed(invocation);
		if (result == null) {
			return null;
		}
		// exactly CompletableFuture: a subclass may override what getNow means
		if (result.getClass() == CompletableFuture.class) {
			CompletableFuture<?> future = (CompletableFuture<?>) result;
			if (future.isDone() && !future.isCompletedExceptionally()) {
				return future.getNow(null);
			}
		}
		return new MethodFuture(result);
	}

	/**
	 * Turn the future of a call made with {@link #proceedUnwrapped(MethodInvocation)}
	 * into the future of the result of the future the method returned, without waiting on
	 * the loop.
	 * @param outer the future of the call
	 * @param method the method, named when it returned a {@link Future} that is neither
	 * done nor a {@link CompletionStage}
	 * @return the future of the method's result
	 */
	public static CompletableFuture<@Nullable Object> flatten(LoopFuture<@Nullable Object> outer, Method method) {
		if (outer.isDone() && !outer.isCompletedExceptionally()) {
			// ran inline: no stage to compose
			Object result = outer.getNow(null);
			if (!(result instanceof MethodFuture methodFuture)) {
				return outer;
			}
			if (methodFuture.future() instanceof LoopFuture<?> loopFuture) {
				@SuppressWarnings("unchecked")
				LoopFuture<@Nullable Object> inner = (LoopFuture<@Nullable Object>) loopFuture;
				return inner;
			}
		}
		return outer.thenCompose((result) -> stageOf(result, method));
	}

	@SuppressWarnings("unchecked")
	private static CompletionStage<@Nullable Object> stageOf(@Nullable Object result, Method method) {
		if (!(result instanceof MethodFuture methodFuture)) {
			return CompletableFuture.completedFuture(result);
		}
		Object future = methodFuture.future();
		if (future instanceof CompletionStage<?> stage) {
			return (CompletionStage<@Nullable Object>) stage;
		}
		// a plain Future, as Spring's @Async allows: only one already done can be read
		Future<?> plain = (Future<?>) future;
		if (!plain.isDone()) {
			return CompletableFuture.failedFuture(new IllegalStateException("@Async method "
					+ EventLoopMethod.describe(method) + " returned a Future that is neither done nor a"
					+ " CompletionStage, which an event loop cannot wait for: return a CompletableFuture"));
		}
		try {
			return CompletableFuture.completedFuture(plain.get());
		}
		catch (ExecutionException ex) {
			return CompletableFuture.failedFuture(ex.getCause());
		}
		catch (InterruptedException | CancellationException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Return the cause of a {@link CompletionException}, or the throwable itself.
	 * @param ex a failure
	 * @return what to rethrow to the caller
	 */
	public static Throwable unwrap(Throwable ex) {
		return (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
	}

	/**
	 * The future a method returned, when its result could not be taken at once.
	 */
	private record MethodFuture(Object future) {
	}

}
