package dev.eventloop.spring.autoconfigure;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.eventloop.EventLoopGroup;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application without SnakeYAML on its class path (properties files only) starts its
 * loops: the check for YAML's empty maps is skipped rather than failing to load.
 */
class WithoutSnakeYamlTests {

	@Test
	void applicationWithoutSnakeYamlShouldStartItsLoops() throws Exception {
		String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
			.filter((entry) -> !entry.contains("snakeyaml"))
			.collect(Collectors.joining(File.pathSeparator));
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(List.of(java, "-cp", classPath, Probe.class.getName()))
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
		assertThat(output).contains("snakeyaml absent", "loops: ledger-0, ledger-1");
		assertThat(process.exitValue()).as(output).isZero();
	}

	/**
	 * Starts an application with two loops configured by properties, in a JVM without
	 * SnakeYAML.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Probe {

		public static void main(String[] args) {
			try {
				Class.forName("org.yaml.snakeyaml.Yaml");
				System.out.println("snakeyaml present");
			}
			catch (ClassNotFoundException ex) {
				System.out.println("snakeyaml absent");
			}
			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Probe.class)
				.web(WebApplicationType.NONE)
				.run("--eventloop.loops.ledger.threads=2", "--spring.main.banner-mode=off")) {
				System.out.println("loops: " + context.getBean("ledger", EventLoopGroup.class)
					.loops()
					.stream()
					.map((loop) -> loop.name())
					.collect(Collectors.joining(", ")));
			}
		}

	}

}
