package dev.eventloop.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.eventloop.EventLoop;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Inline: an {@code @OnEventLoop} method returning a {@code CompletableFuture}, called
 * from its own loop, where the proxy runs it inline; against {@code plain}, the same
 * method on an instance that is not proxied. As in the inline-dispatch benchmark, each
 * invocation hops to the loop once and makes {@value #OPS} calls there. ({@code @Async}
 * has no inline path: it always hands the call to its executor.)
 * <ul>
 * <li>{@code plain}: the method, not proxied;</li>
 * <li>{@code springProxy}: through a Spring AOP class-based proxy, as
 * {@code @OnEventLoop}'s, whose only advice proceeds: what any advised call costs;</li>
 * <li>{@code onEventLoop}: through the proxy, without a key;</li>
 * <li>{@code onEventLoopKey}: with {@code key = "#p0"}, an argument the proxy reads
 * directly;</li>
 * <li>{@code onEventLoopKeyExpression}: with {@code key = "#p0.key()"}, which SpEL
 * evaluates on every call.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ProxyInlineBenchmark extends BenchmarkBase {

	static final int OPS = 100_000;

	/**
	 * Whether the call goes straight to the bean or through its {@code @OnEventLoop}
	 * proxy.
	 */
	@Param({ "plain", "springProxy", "onEventLoop", "onEventLoopKey", "onEventLoopKeyExpression" })
	public String proxy = "plain";

	// set in setup, read by the benchmark thread
	// and the loop thread (published by the hop)
	private @Nullable ConfigurableApplicationContext context;

	private @Nullable EventLoop loop;

	private @Nullable Runnable batch;

	@Setup
	public void start(Blackhole blackhole) {
		ConfigurableApplicationContext context = ProxyBenchmarkApplication.start();
		this.context = context;
		this.loop = context.getBean(ProxyBenchmarkApplication.LOOP, EventLoop.class);
		OnEventLoopCalls proxied = context.getBean(OnEventLoopCalls.class);
		Object id = "account-1";
		OnEventLoopCalls.Request request = new OnEventLoopCalls.Request(id);
		Supplier<Object> call = switch (this.proxy) {
			case "plain" -> new OnEventLoopCalls()::compute;
			case "springProxy" -> springProxy()::compute;
			case "onEventLoop" -> proxied::compute;
			case "onEventLoopKey" -> () -> proxied.computeFor(id);
			case "onEventLoopKeyExpression" -> () -> proxied.computeForRequest(request);
			default -> throw new IllegalArgumentException("Unknown proxy '" + this.proxy
					+ "': use plain, springProxy, onEventLoop, onEventLoopKey or onEventLoopKeyExpression");
		};
		this.batch = () -> {
			for (int i = 0; i < OPS; i++) {
				blackhole.consume(call.get());
			}
		};
	}

	private static OnEventLoopCalls springProxy() {
		ProxyFactory factory = new ProxyFactory(new OnEventLoopCalls());
		factory.setProxyTargetClass(true);
		factory.addAdvice((MethodInterceptor) MethodInvocation::proceed);
		return (OnEventLoopCalls) factory.getProxy();
	}

	@TearDown
	public void stop() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Benchmark
	@OperationsPerInvocation(OPS)
	public void callFromLoop() {
		EventLoop loop = this.loop;
		Runnable batch = this.batch;
		if (loop == null || batch == null) {
			throw new IllegalStateException("Benchmark not set up");
		}
		BatchBarrier barrier = new BatchBarrier();
		loop.execute(() -> {
			try {
				batch.run();
			}
			finally {
				barrier.run();
			}
		});
		barrier.await();
	}

}
