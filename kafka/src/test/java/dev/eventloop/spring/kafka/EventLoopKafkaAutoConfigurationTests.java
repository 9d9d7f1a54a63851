package dev.eventloop.spring.kafka;

import java.time.Duration;
import java.util.List;

import dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.OnEventLoopAutoConfiguration;
import dev.eventloop.spring.autoconfigure.kafka.EventLoopKafkaAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.ContainerProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class EventLoopKafkaAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EventLoopAutoConfiguration.class, OnEventLoopAutoConfiguration.class,
				EventLoopKafkaAutoConfiguration.class, KafkaAutoConfiguration.class));

	@Test
	void runShouldCreateDispatcherAndGiveContainersTheDrainingRebalanceListenerAndConsumersTheCommitGate() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(KafkaRecordDispatcher.class);
			ContainerProperties properties = context.getBean(ConcurrentKafkaListenerContainerFactory.class)
				.getContainerProperties();
			assertThat(properties.getConsumerRebalanceListener()).isInstanceOf(DrainingRebalanceListener.class);
			assertThat(properties.getPollTimeoutWhilePaused())
				.isEqualTo(new ContainerProperties("any").getPollTimeoutWhilePaused());
			assertThat(context.getBean(ConsumerFactory.class).getPostProcessors()).hasSize(1);
			assertThat(context.getBean(KafkaRecordDispatcher.class).commitInterval()).isEqualTo(Duration.ofMillis(100));
		});
	}

	@Test
	void runWithNonPositiveCommitIntervalShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("eventloop.kafka.commit-interval=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("eventloop.kafka.commit-interval must be a positive duration"));
	}

	@Test
	void runWhenDisabledShouldNotCreateDispatcher() {
		this.contextRunner.withPropertyValues("eventloop.kafka.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(KafkaRecordDispatcher.class));
	}

	@Test
	void runWithoutSpringKafkaShouldNotCreateDispatcher() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.kafka"))
			.run((context) -> assertThat(context).doesNotHaveBean(KafkaRecordDispatcher.class));
	}

	@Test
	void runWithHighWaterMarkBelowOneShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("eventloop.kafka.high-water-mark=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("eventloop.kafka.high-water-mark must be at least 1"));
	}

	@Test
	void badValuesFailStartupWithBootsReportOfEachPropertyItsValueWhereItWasSetAndTheFix(CapturedOutput output) {
		for (String argument : List.of("--eventloop.kafka.max-in-flight=0", "--eventloop.kafka.retry.multiplier=0.5")) {
			assertThatExceptionOfType(BeanCreationException.class)
				.isThrownBy(() -> new SpringApplicationBuilder(PlainApplication.class).web(WebApplicationType.NONE)
					.run(argument));
		}
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: eventloop.kafka.maxInFlight")
			.contains("Value: \"0\"")
			.contains("Origin: \"eventloop.kafka.max-in-flight\" from property source \"commandLineArgs\"")
			.contains("Reason: eventloop.kafka.max-in-flight must be at least 1: the number of records one consumer"
					+ " may have in flight, such as 1000, but was 0")
			.contains("Property: eventloop.kafka.retry.multiplier")
			.contains("Origin: \"eventloop.kafka.retry.multiplier\" from property source \"commandLineArgs\"")
			.contains("Reason: eventloop.kafka.retry.multiplier must be 1 for a fixed delay, or more, such as 2,"
					+ " but was 0.5");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class PlainApplication {

	}

}
