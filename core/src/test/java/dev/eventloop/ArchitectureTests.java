package dev.eventloop;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;

/**
 * Architecture rules of the core runtime.
 *
 */
@AnalyzeClasses(packages = "dev.eventloop", importOptions = ImportOption.DoNotIncludeTests.class)
final class ArchitectureTests {

	@ArchTest
	static final ArchRule coreKnowsNothingOfSpringMicrometerOrKafka = ArchRuleDefinition.noClasses()
		.that()
		.resideInAPackage("dev.eventloop..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("org.springframework..", "io.micrometer..", "org.apache.kafka..");

	@ArchTest
	static final ArchRule publicApiExposesOnlyPublicTypes = PublicApiRules.publicApiOf("dev.eventloop..")
		.should(PublicApiRules.exposeOnlyPublicTypes());

	private ArchitectureTests() {
	}

}
