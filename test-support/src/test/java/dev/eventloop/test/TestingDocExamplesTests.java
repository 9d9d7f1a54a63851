package dev.eventloop.test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examples of docs/testing.md are these test classes, word for word (less their
 * package line), so every example on that page is compiled and run by the build.
 */
class TestingDocExamplesTests {

	@ParameterizedTest
	@ValueSource(strings = { "ManualTimeExampleTests", "QuiescenceExampleTests", "SliceExampleTests" })
	void theTestingPageShowsTheExampleAsItIsCompiledAndRun(String example) throws IOException {
		String page = Files.readString(Path.of("..", "docs", "testing.md"), StandardCharsets.UTF_8);
		Matcher block = Pattern
			.compile("<!-- testing-example: " + example + " -->\\s*```java\\n(.*?)```", Pattern.DOTALL)
			.matcher(page);
		assertThat(block.find()).as("docs/testing.md block for %s", example).isTrue();
		String source = Files.readString(
				Path.of("src", "test", "java", "dev", "eventloop", "test", "examples", example + ".java"),
				StandardCharsets.UTF_8);
		String withoutPackage = source.substring(source.indexOf('\n') + 1).stripLeading();
		assertThat(block.group(1).replace("    ", "\t")).isEqualTo(withoutPackage);
	}

}
