package dev.eventloop.spring.kafka;

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
 * Architecture rules of the Kafka module: every class of the project on its class path
 * (core, the Spring runtime, the auto-configuration and this module) is imported, so that
 * the rules see both sides of the module's boundary.
 */
@AnalyzeClasses(packages = "dev.eventloop",
		importOptions = { ImportOption.DoNotIncludeTests.class, PublicApiRules.OnlyTheProjectsOwnJars.class })
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

	@ArchTest
	static final ArchRule publicApiExposesOnlyPublicTypes = PublicApiRules
		.publicApiOf("dev.eventloop.spring.kafka..", "dev.eventloop.spring.autoconfigure.kafka..")
		.should(PublicApiRules.exposeOnlyPublicTypes());

	/**
	 * The project's jars and class folders are all imported (a rule over classes it does
	 * not see passes for nothing), its test jars are not.
	 * @param classes the classes the rules see
	 */
	@ArchTest
	static void theRulesSeeEveryModuleOnTheClassPathButNoTestJar(JavaClasses classes) {
		assertThat(List.of("dev.eventloop.EventLoop", "dev.eventloop.spring.aop.EventLoopMethod",
				"dev.eventloop.spring.autoconfigure.EventLoopAutoConfiguration",
				"dev.eventloop.spring.kafka.KafkaRecordDispatcher",
				"dev.eventloop.spring.autoconfigure.kafka.EventLoopKafkaAutoConfiguration"))
			.allSatisfy((name) -> assertThat(classes.contain(name)).as(name).isTrue());
		// the shared rules come in core's test jar, which the import option leaves out
		assertThat(classes.contain(PublicApiRules.class.getName())).isFalse();
	}

	private KafkaArchitectureTests() {
	}

}
