package dev.eventloop.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Entry point of the sample ledger application. Run with {@code --load} to start the load
 * generator at once, or {@code --load=30} to run it for 30 seconds.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
