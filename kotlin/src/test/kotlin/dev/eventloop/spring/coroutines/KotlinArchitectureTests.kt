package dev.eventloop.spring.coroutines

import com.tngtech.archunit.core.domain.JavaClasses
import com.tngtech.archunit.core.importer.ClassFileImporter
import com.tngtech.archunit.core.importer.ImportOption
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test

/**
 * Architecture rules of the Kotlin module, over every class of the project on its class
 * path: Kotlin and kotlinx.coroutines are used only here, the dispatcher knows nothing of
 * Spring, and the runtime never imports the auto-configuration.
 */
class KotlinArchitectureTests {

	private val classes: JavaClasses = ClassFileImporter()
		.withImportOption(ImportOption.DoNotIncludeTests())
		// the project's own jars and classes only: reading every library only to find none
		// of the project's classes takes seconds
		.withImportOption { location -> !location.isJar || location.contains("/eventloop-") }
		.importPackages("dev.eventloop")

	@Test
	fun `the rules see every module on the class path`() {
		assertThat(listOf("dev.eventloop.EventLoop", "dev.eventloop.spring.aop.EventLoopMethod",
			"dev.eventloop.spring.kafka.KafkaRecordDispatcher", "dev.eventloop.coroutines.EventLoopDispatcher"))
			.allSatisfy { name -> assertThat(classes.contain(name)).`as`(name).isTrue() }
	}

	@Test
	fun `only the Kotlin module uses kotlinx coroutines`() {
		noClasses().that()
			.resideOutsideOfPackages("dev.eventloop.coroutines..", "dev.eventloop.spring.coroutines..",
				"dev.eventloop.spring.autoconfigure.coroutines..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("kotlinx.coroutines..")
			.check(classes)
	}

	@Test
	fun `the dispatcher knows nothing of Spring`() {
		noClasses().that()
			.resideInAPackage("dev.eventloop.coroutines..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "dev.eventloop.spring..")
			.check(classes)
	}

	@Test
	fun `the Kotlin runtime never imports the auto-configuration`() {
		noClasses().that()
			.resideInAPackage("dev.eventloop.spring.coroutines..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.eventloop.spring.autoconfigure..")
			.check(classes)
	}

}
