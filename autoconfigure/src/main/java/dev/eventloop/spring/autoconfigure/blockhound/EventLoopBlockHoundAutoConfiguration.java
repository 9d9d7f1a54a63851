package dev.eventloop.spring.autoconfigure.blockhound;

import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import reactor.blockhound.BlockHound;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * {@link org.springframework.boot.autoconfigure.EnableAutoConfiguration
 * Auto-configuration} that installs BlockHound, with the
 * {@link dev.eventloop.spring.blockhound.EventLoopBlockHoundIntegration event-loop
 * integration}, when it is on the classpath and {@code eventloop.blockhound.enabled} is
 * {@code true}. BlockHound instruments the JVM once and for good; meant for tests and
 * staging.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = EventLoopAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "eventloop.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty("eventloop.blockhound.enabled")
@ConditionalOnClass(name = "reactor.blockhound.BlockHound")
public final class EventLoopBlockHoundAutoConfiguration {

	EventLoopBlockHoundAutoConfiguration() {
	}

	@Bean
	static BlockHoundInstaller eventLoopBlockHoundInstaller() {
		return new BlockHoundInstaller();
	}

	/**
	 * Installs BlockHound when the application context starts; BlockHound ignores later
	 * installations, and its {@link java.util.ServiceLoader} finds the event-loop
	 * integration.
	 */
	static final class BlockHoundInstaller {

		BlockHoundInstaller() {
			try {
				BlockHound.install();
			}
			catch (IllegalStateException ex) {
				throw new IllegalStateException("BlockHound could not instrument the JVM for"
						+ " 'eventloop.blockhound.enabled': on Java 13 and later start the JVM with"
						+ " -XX:+AllowRedefinitionToAddDeleteMethods, or set 'eventloop.blockhound.enabled' to false",
						ex);
			}
		}

	}

}
