package dev.eventloop.spring.autoconfigure;

import dev.eventloop.EventLoopGroup;

/**
 * Callback to customize the builder of each configured event loop group before it is
 * built, for example to set an uncaught-exception handler. Applied after the
 * {@code eventloop.*} properties, in bean order.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface EventLoopGroupBuilderCustomizer {

	/**
	 * Customize the builder of the named group.
	 * @param name the name of the group (or single loop) being built
	 * @param builder the builder, already configured from the properties
	 */
	void customize(String name, EventLoopGroup.Builder builder);

}
