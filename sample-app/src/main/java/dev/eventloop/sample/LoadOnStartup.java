package dev.eventloop.sample;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Starts the load generator when the application is run with {@code --load} (until
 * stopped) or {@code --load=SECONDS}.
 */
@Component
class LoadOnStartup implements ApplicationRunner {

	private final LoadGenerator generator;

	LoadOnStartup(LoadGenerator generator) {
		this.generator = generator;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!args.containsOption("load")) {
			return;
		}
		List<String> values = args.getOptionValues("load");
		String value = (values == null || values.isEmpty()) ? "" : values.get(0).trim();
		if (value.isEmpty()) {
			this.generator.start(null);
			return;
		}
		try {
			long seconds = Long.parseLong(value);
			if (seconds <= 0) {
				throw new NumberFormatException();
			}
			this.generator.start(Duration.ofSeconds(seconds));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(
					"--load takes a positive number of seconds (or no value to run until stopped), but was '" + value
							+ "'.");
		}
	}

}
