package dev.eventloop.spring;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import dev.eventloop.PublicApiRules;

/**
 * Architecture rules of the Spring Boot integration: core, the Spring runtime and the
 * auto-configuration are all on this module's class path, so the rules see every side of
 * the boundaries between them. The Kafka module checks its own boundary.
 */
@AnalyzeClasses(packages = "dev.eventloop",
		importOptions = { ImportOption.DoNotIncludeTests.class, PublicApiRules.OnlyTheProjectsOwnJars.class })
final class ArchitectureTests {

	@ArchTest
	static final ArchRule annotationsLiveInTheSpringPackage = ArchRuleDefinition.classes()
		.that()
		.resideInAPackage("dev.eventloop.spring..")
		.and()
		.areAnnotations()
		.should()
		.resideInAPackage("dev.eventloop.spring");

	@ArchTest
	static final ArchRule actuatorAndMetricsDoNotDependOnAutoConfiguration = ArchRuleDefinition.noClasses()
		.that()
		.resideInAnyPackage("dev.eventloop.spring.actuate..", "dev.eventloop.spring.metrics..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("dev.eventloop.spring.autoconfigure..");

	@ArchTest
	static final ArchRule runtimeNeverImportsAutoConfiguration = ArchRuleDefinition.noClasses()
		.that()
		.resideInAPackage("dev.eventloop..")
		.and()
		.resideOutsideOfPackage("dev.eventloop.spring.autoconfigure..")
		.should()
		.dependOnClassesThat()
		.resideInAPackage("dev.eventloop.spring.autoconfigure..");

	@ArchTest
	static final ArchRule kafkaLivesOnlyInTheKafkaModule = ArchRuleDefinition.noClasses()
		.that()
		.resideInAPackage("dev.eventloop..")
		.should()
		.dependOnClassesThat()
		.resideInAnyPackage("org.apache.kafka..", "org.springframework.kafka..");

	@ArchTest
	static final ArchRule publicApiExposesOnlyPublicTypes = PublicApiRules.publicApiOf("dev.eventloop.spring..")
		.should(PublicApiRules.exposeOnlyPublicTypes());

	private ArchitectureTests() {
	}

}
