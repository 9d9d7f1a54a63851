package dev.eventloop.spring.autoconfigure;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.eventloop.EventLoopGroup;
import dev.eventloop.spring.EventLoopBeans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Tests for {@link EventLoopPropertiesValidator}: each check names the property, where it
 * is set and how to fix it.
 */
class EventLoopPropertiesValidatorTests {

	private final StandardEnvironment environment = new StandardEnvironment();

	private final Map<String, Object> source = new LinkedHashMap<>();

	EventLoopPropertiesValidatorTests() {
		this.environment.getPropertySources().addFirst(new MapPropertySource("test", this.source));
	}

	@Test
	void validConfigurationPasses() {
		set("eventloop.shutdown-timeout", "0s");
		set("eventloop.defaults.queue-capacity", "0");
		set("eventloop.loops.orders.threads", "2");
		set("eventloop.loops.orders.lag-threshold", "1s");
		set("eventloop.loops.pricing.queue-capacity", "10");
		assertThatNoException().isThrownBy(this::validate);
	}

	@Test
	void negativeDefaultQueueCapacityIsRefused() {
		set("eventloop.defaults.queue-capacity", "-1");
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.defaults.queue-capacity");
		assertOriginIs(failure, "eventloop.defaults.queue-capacity");
		assertThat(failure.getDescription()).startsWith(
				"Invalid value '-1' for property 'eventloop.defaults.queue-capacity': a queue capacity must be zero"
						+ " (unbounded) or positive. It is set in ");
		assertThat(failure.getAction()).isEqualTo(
				"Set 'eventloop.defaults.queue-capacity' to 0 for an unbounded queue or to a positive maximum number"
						+ " of tasks.");
	}

	@Test
	void negativeLoopQueueCapacityIsRefused() {
		set("eventloop.loops.orders.queue-capacity", "-5");
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.loops.orders.queue-capacity");
		assertOriginIs(failure, "eventloop.loops.orders.queue-capacity");
		assertThat(failure.getDescription()).contains("Invalid value '-5'")
			.contains("a queue capacity must be zero (unbounded) or positive");
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource({ "eventloop.defaults.stall-threshold, 0s", "eventloop.defaults.lag-threshold, -1s",
			"eventloop.defaults.lag-probe-interval, 0ms", "eventloop.loops.orders.stall-threshold, 0s",
			"eventloop.loops.orders.lag-threshold, -100ms", "eventloop.loops.orders.lag-probe-interval, 0ms" })
	void durationThatIsNotPositiveIsRefused(String property, String value) {
		set(property, value);
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo(property);
		assertOriginIs(failure, property);
		assertThat(failure.getDescription()).startsWith("Invalid value '")
			.contains("' for property '" + property + "': the duration must be positive. It is set in ");
		assertThat(failure.getAction()).isEqualTo(
				"Set '" + property + "' to a positive duration such as 100ms or 2s, or remove it to use the default.");
	}

	@Test
	void negativeShutdownTimeoutIsRefused() {
		set("eventloop.shutdown-timeout", "-1s");
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.shutdown-timeout");
		assertOriginIs(failure, "eventloop.shutdown-timeout");
		assertThat(failure.getDescription()).contains("the drain budget at shutdown must not be negative");
		assertThat(failure.getAction())
			.isEqualTo("Set 'eventloop.shutdown-timeout' to zero or a positive duration such as 30s.");
	}

	@Test
	void maxInlineDepthBelowOneIsRefused() {
		set("eventloop.max-inline-depth", "0");
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.max-inline-depth");
		assertOriginIs(failure, "eventloop.max-inline-depth");
		assertThat(failure.getDescription()).contains("Invalid value '0'")
			.contains("inline dispatches must be allowed to nest at least once");
		assertThat(failure.getAction()).contains("Set 'eventloop.max-inline-depth' to 1 or more");
	}

	@Test
	void groupWithoutThreadsIsRefused() {
		set("eventloop.loops.orders.threads", "0");
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.loops.orders.threads");
		assertOriginIs(failure, "eventloop.loops.orders.threads");
		assertThat(failure.getDescription()).contains("event loop group 'orders' needs at least one thread");
		assertThat(failure.getAction()).isEqualTo(
				"Set 'eventloop.loops.orders.threads' to 1 or more, or remove it to get a single loop named 'orders'.");
	}

	@Test
	void loopNamedLikeTheMemberOfAGroupIsRefused() {
		set("eventloop.loops.orders.threads", "2");
		set("eventloop.loops.orders-1.threads", "1");
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.loops");
		assertOriginIs(failure, "eventloop.loops.orders-1.threads");
		assertThat(failure.getDescription())
			.contains("the name 'orders-1' is used both by group 'orders' (2 threads) and by loop 'orders-1'");
		assertThat(failure.getAction()).startsWith("Rename one of the entries under 'eventloop.loops'");
	}

	@Test
	void unknownLoopKeyIsRefusedWithTheNearestValidKey() {
		set("eventloop.loops.orders.stall-treshold", "1s");
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.loops.orders.stall-treshold");
		assertOriginIs(failure, "eventloop.loops.orders.stall-treshold");
		assertThat(failure.getDescription())
			.startsWith("Unknown property 'eventloop.loops.orders.stall-treshold': 'stall-treshold' is not one of the"
					+ " settings of a loop. It is set in ")
			.contains("Valid keys under 'eventloop.loops.orders.' are: ")
			.contains("threads");
		assertThat(failure.getAction()).startsWith("Did you mean 'eventloop.loops.orders.stall-threshold'? ");
	}

	@Test
	void unknownDefaultsKeyWithoutANearKeyIsRefusedWithoutASuggestion() {
		set("eventloop.defaults.threads", "2");
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.defaults.threads");
		assertOriginIs(failure, "eventloop.defaults.threads");
		assertThat(failure.getDescription()).contains("'threads' is not one of the default loop settings")
			.contains("Valid keys under 'eventloop.defaults.' are: ")
			.doesNotContain(", threads");
		assertThat(failure.getAction()).startsWith("Rename 'eventloop.defaults.threads' to one of the valid keys");
	}

	@Test
	void yamlLoopWrittenAsAnEmptyMapIsRefusedWithItsLineInTheFile() throws IOException {
		new YamlPropertySourceLoader().load("loops-empty-map", new ClassPathResource("loops-empty-map.yml"))
			.forEach(this.environment.getPropertySources()::addFirst);
		InvalidEventLoopPropertyException failure = validateAndFail();
		assertThat(failure.getProperty()).isEqualTo("eventloop.loops.pricing");
		assertThat(failure.getOrigin()).isInstanceOf(TextResourceOrigin.class);
		assertThat(failure.getOrigin()).hasToString("class path resource [loops-empty-map.yml] - 3:14");
		assertThat(failure.getDescription()).contains("YAML keeps no property for an empty map");
		assertThat(failure.getAction()).startsWith("Write the entry without a value ('pricing:')");
	}

	@Test
	void configuredLoopWithoutABeanDefinitionIsRefusedAsFixedAtBuildTime() {
		set("eventloop.loops.pricing.threads", "1");
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		assertThatExceptionOfType(InvalidEventLoopPropertyException.class)
			.isThrownBy(() -> EventLoopPropertiesValidator.checkRegistered(bind(), this.environment, beanFactory))
			.satisfies((failure) -> {
				assertThat(failure.getProperty()).isEqualTo("eventloop.loops.pricing");
				assertOriginIs(failure, "eventloop.loops.pricing.threads");
				assertThat(failure.getDescription()).contains("processed ahead of time (Spring AOT) without it");
				assertThat(failure.getAction()).startsWith("Build the application again");
			});
	}

	@Test
	void configuredLoopWithABeanDefinitionIsRegistered() {
		set("eventloop.loops.pricing.threads", "1");
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition(EventLoopBeans.beanName("pricing"),
				new RootBeanDefinition(EventLoopGroup.class));
		assertThatNoException()
			.isThrownBy(() -> EventLoopPropertiesValidator.checkRegistered(bind(), this.environment, beanFactory));
	}

	@Test
	void configuredLoopWithOnlyABeanOfAnotherTypeOfItsNameIsNotRegistered() {
		set("eventloop.loops.pricing.threads", "1");
		DefaultListableBeanFactory beanFactory = new DefaultListableBeanFactory();
		beanFactory.registerBeanDefinition("pricing", new RootBeanDefinition(Object.class));
		assertThatExceptionOfType(InvalidEventLoopPropertyException.class)
			.isThrownBy(() -> EventLoopPropertiesValidator.checkRegistered(bind(), this.environment, beanFactory))
			.withMessageContaining("the loop 'pricing' is configured now");
	}

	@Test
	void loopBuiltAheadOfTimeButNoLongerConfiguredNamesTheLoops() {
		InvalidEventLoopPropertyException failure = EventLoopPropertiesValidator.loopSetFixedAtBuildTime("pricing", 1,
				null);
		assertThat(failure.getProperty()).isEqualTo("eventloop.loops");
		assertThat(failure.getOrigin()).isNull();
		assertThat(failure.getDescription()).contains("with a loop 'pricing', which is not configured now");
		assertThat(failure.getAction()).startsWith("Configure 'eventloop.loops.pricing' as at build time");
	}

	@Test
	void loopBuiltAheadOfTimeWithOtherThreadsNamesTheThreadsProperty() {
		InvalidEventLoopPropertyException failure = EventLoopPropertiesValidator.loopSetFixedAtBuildTime("orders", 2,
				4);
		assertThat(failure.getProperty()).isEqualTo("eventloop.loops.orders.threads");
		assertThat(failure.getDescription())
			.startsWith("Invalid value '4' for property 'eventloop.loops.orders.threads'")
			.contains("with 2 thread(s) for 'orders'");
		assertThat(failure.getAction()).startsWith("Set 'eventloop.loops.orders.threads' to 2");
	}

	@Test
	void keysOfASettingsClassAreItsWritablePropertiesInDashedFormSorted() {
		assertThat(EventLoopPropertiesValidator.keysOf(EventLoopProperties.Defaults.class))
			.contains("idle-strategy", "lag-probe-interval", "lag-threshold", "queue-capacity", "stall-threshold")
			.isSorted()
			.doesNotContain("threads");
		assertThat(EventLoopPropertiesValidator.keysOf(EventLoopProperties.Loop.class)).contains("threads").isSorted();
	}

	private void set(String name, String value) {
		this.source.put(name, value);
	}

	private EventLoopProperties bind() {
		return Binder.get(this.environment).bindOrCreate("eventloop", EventLoopProperties.class);
	}

	private void validate() {
		EventLoopPropertiesValidator.validate(bind(), this.environment);
	}

	private InvalidEventLoopPropertyException validateAndFail() {
		InvalidEventLoopPropertyException failure = catchThrowableOfType(InvalidEventLoopPropertyException.class,
				this::validate);
		assertThat(failure).as("validation failure").isNotNull();
		return failure;
	}

	private static void assertOriginIs(InvalidEventLoopPropertyException failure, String property) {
		assertThat(failure.getOrigin()).isInstanceOfSatisfying(PropertySourceOrigin.class, (origin) -> {
			assertThat(origin.getPropertyName()).isEqualTo(property);
			assertThat(origin.getPropertySource().getName()).isEqualTo("test");
		});
		assertThat(failure.getDescription()).contains(" It is set in " + failure.getOrigin() + ".");
	}

}
