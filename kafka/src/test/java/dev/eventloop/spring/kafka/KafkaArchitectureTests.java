package dev.eventloop.spring.kafka;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;

/**
 * Architecture rules of the Kafka module: every class of the project on its class path
 * (core, the Spring runtime, the auto-configuration and this module) is imported, so that
 * the rules see both sides of the module's boundary.
 */
@AnalyzeClasses(packages = "dev.eventloop",
		importOptions = { ImportOption.DoNotIncludeTests.class, KafkaArchitectureTests.OnlyTheProjectsOwnJars.class })
final class KafkaArchitectureTests {

	@ArchTest
	static final ArchRule onlyTheKafkaModuleUsesKafka = ArchRuleDefinition.noClasses()
		.that()
		.resideInAPackage("dev.eventloop..")
		.and()
		.resideOutsideOfPackages("dev.eventloop.spring.kafka..", "dev.eventloop.spring.autoconfigure.kafka..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..");

	@ArchTest
	static final ArchRule theKafkaRuntimeNeverImportsAutoConfiguration = ArchRuleDefinition.noClasses()
		.that()
		.resideInAPackage("dev.eventloop.spring.kafka..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("dev.eventloop.spring.autoconfigure..");

	private KafkaArchitectureTests() {
	}

	/**
	 * Leaves out the jars of other projects (Spring, Kafka, ...): none holds a class of
	 * this project, and reading them all only to find none takes seconds.
	 */
	static final class OnlyTheProjectsOwnJars implements ImportOption {

		@Override
		public boolean includes(com.tngtech.archunit.core.importer.Location location) {
			return !location.isJar() || location.contains("/eventloop-");
		}

	}

}
