package dev.eventloop.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * Adds the event-loop auto-configurations to a Spring Boot test slice
 * ({@code @WebMvcTest}, {@code @WebFluxTest}, {@code @DataJpaTest}, …), which otherwise
 * leaves them out: the slice gets the configured loops, {@code AsyncContext} and the
 * {@code @OnEventLoop} proxies, configured from {@code eventloop.*} properties as the
 * application is. A {@link dev.eventloop.Ticker} bean in the test's configuration (a
 * {@link ManualTicker}, for example) is used by every configured loop.
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
public @interface AutoConfigureEventLoops {

}
