package dev.eventloop.benchmarks;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Netty's {@link DefaultEventLoop}, the event loop Netty offers for work that is not I/O:
 * {@code execute}, {@code submit(..).get()} and {@code inEventLoop()}-then-run.
 */
final class NettyAdapter implements LoopAdapter {

	private static final Runnable NOOP = () -> {
	};

	private final DefaultEventLoop loop = new DefaultEventLoop(new DefaultThreadFactory("bench-netty", true));

	@Override
	public void executeNoop() {
		this.loop.execute(NOOP);
	}

	@Override
	public void execute(Runnable task) {
		this.loop.execute(task);
	}

	@Override
	public <T> Object submitAndWait(Callable<T> task) throws Exception {
		return this.loop.submit(task).get();
	}

	@Override
	public <T> Object dispatchInline(Callable<T> task) throws Exception {
		return this.loop.inEventLoop() ? task.call() : this.loop.submit(task);
	}

	@Override
	public void close() {
		this.loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
	}

}
