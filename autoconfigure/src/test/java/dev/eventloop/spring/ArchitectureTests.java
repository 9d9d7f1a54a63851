package dev.eventloop.spring;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import dev.eventloop.PublicApiRules;

import static org.assertj.core.api.Assertions.assertThat;

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

	/**
	 * The project's jars and class folders are all imported (a rule over classes it does
	 * not see passes for nothing), its test jars are not.
	 * @param classes the classes the rules see
	 */
	@ArchTest
	static void theRulesSeeEveryModuleOnTheClassPathButNoTestJar(JavaClasses classes) {
		assertThat(List.of("dev.eventloop.EventLoop", "dev.eventloop.spring.aop.EventLoopMethod",
				"dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration"))
			.allSatisfy((name) -> assertThat(classes.contain(name)).as(name).isTrue());
		// the shared rules come in core's test jar, which the import option leaves out
		assertThat(classes.contain(PublicApiRules.class.getName())).isFalse();
	}

	private ArchitectureTests() {
	}

}
