package dev.eventloop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No main source file of the project's library modules grows past 500 lines: a class that
 * long holds more than one concern, and the next engineer should find each concern in a
 * file of its own. Checked here, in the first module built, for every module beside it.
 */
class SourceSizeTests {

	private static final int MAX_LINES = 500;

	private static final List<String> LIBRARY_MODULES = List.of("core", "spring", "autoconfigure", "kafka",
			"test-support", "kotlin");

	@Test
	void noMainSourceFileOfALibraryModuleIsLongerThan500Lines() throws IOException {
		List<String> tooLong = new ArrayList<>();
		int read = 0;
		for (String module : LIBRARY_MODULES) {
			Path sources = Path.of("..", module, "src", "main");
			assertThat(sources).as("sources of module %s", module).isDirectory();
			try (Stream<Path> files = Files.walk(sources)) {
				for (Path file : files.filter(SourceSizeTests::isSource).toList()) {
					read++;
					if (lines(file) > MAX_LINES) {
						tooLong.add(file + " (" + lines(file) + " lines)");
					}
				}
			}
		}
		assertThat(read).as("main source files read").isGreaterThan(100);
		assertThat(tooLong).as("main source files over %d lines", MAX_LINES).isEmpty();
	}

	private static boolean isSource(Path file) {
		String name = file.toString();
		return name.endsWith(".java") || name.endsWith(".kt");
	}

	private static long lines(Path file) {
		try (Stream<String> lines = Files.lines(file)) {
			return lines.count();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read " + file, ex);
		}
	}

}
