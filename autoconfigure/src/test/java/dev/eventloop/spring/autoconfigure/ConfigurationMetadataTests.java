package dev.eventloop.spring.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigurationMetadataTests {

	@Test
	void generatedMetadataShouldDescribeEveryProperty() throws IOException {
		String json;
		try (InputStream in = getClass().getClassLoader()
			.getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
			assertThat(in).as("generated configuration metadata").isNotNull();
			json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		List<Map<String, Object>> properties = JsonPath.read(json, "$.properties[?(@.name =~ /eventloop\\..*/)]");
		assertThat(properties).extracting((property) -> property.get("name"))
			.contains("eventloop.enabled", "eventloop.blocking-policy", "eventloop.shutdown-timeout",
					"eventloop.max-inline-depth", "eventloop.defaults.queue-capacity",
					"eventloop.defaults.stall-threshold", "eventloop.defaults.lag-probe-interval",
					"eventloop.defaults.idle-strategy", "eventloop.loops");
		assertThat(properties).allSatisfy((property) -> assertThat((String) property.get("description"))
			.as("description of %s", property.get("name"))
			.isNotBlank());
	}

	@Test
	void autoConfigurationMetadataShouldCoverEveryAutoConfiguration() throws IOException {
		Properties metadata = new Properties();
		try (InputStream in = getClass().getClassLoader()
			.getResourceAsStream("META-INF/spring-autoconfigure-metadata.properties")) {
			assertThat(in).as("generated auto-configuration metadata").isNotNull();
			metadata.load(in);
		}
		List<String> autoConfigurations;
		try (InputStream in = getClass().getClassLoader()
			.getResourceAsStream("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
			assertThat(in).isNotNull();
			autoConfigurations = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
				.map(String::trim)
				.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
				.toList();
		}
		assertThat(autoConfigurations).isNotEmpty().allSatisfy((name) -> assertThat(metadata).containsKey(name));
		assertThat(metadata.getProperty(EventLoopMetricsAutoConfiguration.class.getName() + ".ConditionalOnClass"))
			.contains("io.micrometer.core.instrument.MeterRegistry");
	}

}
