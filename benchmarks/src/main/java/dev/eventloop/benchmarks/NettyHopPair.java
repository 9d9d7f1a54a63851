package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;

/**
 * Two Netty {@link DefaultEventLoop}s. The hop is Netty's idiom for a result wanted on
 * another loop: on loop A, a promise of A ({@code a.newPromise()}) with a listener, which
 * Netty notifies on A, completed by a task executed on loop B.
 */
final class NettyHopPair implements HopPair {

	private final DefaultEventLoop a = new DefaultEventLoop(new DefaultThreadFactory("bench-hop-netty-a", true));

	private final DefaultEventLoop b = new DefaultEventLoop(new DefaultThreadFactory("bench-hop-netty-b", true));

	@Override
	public void executeOnA(Runnable task) {
		this.a.execute(task);
	}

	@Override
	public boolean onA() {
		return this.a.inEventLoop();
	}

	@Override
	public Runnable hop(Callable<Object> onB, Consumer<Object> thenOnA) {
		GenericFutureListener<Future<Object>> listener = (future) -> thenOnA.accept(future.getNow());
		return () -> {
			Promise<Object> promise = this.a.newPromise();
			promise.addListener(listener);
			this.b.execute(() -> {
				try {
					promise.setSuccess(onB.call());
				}
				catch (Exception ex) {
					promise.setFailure(ex);
				}
			});
		};
	}

	@Override
	public void close() {
		this.a.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
		this.b.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
	}

}
