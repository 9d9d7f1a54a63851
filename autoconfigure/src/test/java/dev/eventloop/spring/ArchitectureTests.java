package dev.eventloop.spring;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;

/**
 * Architecture rules of the Spring Boot integration: core, the Spring runtime and the
 * auto-configuration are all on this module's class path, so the rules see every side of
 * the boundaries between them. The Kafka module checks its own boundary.
 */
@AnalyzeClasses(packages = "dev.eventloop",
		importOptions = { ImportOption.DoNotIncludeTests.class, ArchitectureTests.OnlyTheProjectsOwnJars.class })
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
	static final ArchRule publicApiExposesOnlyPublicTypes = ArchRuleDefinition.codeUnits()
		.that(arePartOfThePublicApi())
		.and()
		.areDeclaredInClassesThat()
		.resideInAPackage("dev.eventloop.spring..")
		.should(exposeOnlyPublicTypes());

	private ArchitectureTests() {
	}

	/**
	 * Public methods and constructors of types that code outside the package can see.
	 * @return the predicate
	 */
	static DescribedPredicate<JavaCodeUnit> arePartOfThePublicApi() {
		return DescribedPredicate.describe("are public members of public types",
				(codeUnit) -> codeUnit.getModifiers().contains(JavaModifier.PUBLIC)
						&& isVisibleOutsideItsPackage(codeUnit.getOwner())
						&& !codeUnit.getModifiers().contains(JavaModifier.SYNTHETIC));
	}

	static boolean isVisibleOutsideItsPackage(JavaClass type) {
		if (!type.getModifiers().contains(JavaModifier.PUBLIC)) {
			return false;
		}
		return type.getEnclosingClass().map(ArchitectureTests::isVisibleOutsideItsPackage).orElse(true);
	}

	/**
	 * Every type a member names in its signature (return type, parameter types, type
	 * arguments and declared exceptions) can be seen from outside its package.
	 * @return the condition
	 */
	static ArchCondition<JavaCodeUnit> exposeOnlyPublicTypes() {
		return new ArchCondition<>("expose only public types in their signatures") {

			@Override
			public void check(JavaCodeUnit codeUnit, ConditionEvents events) {
				Set<JavaClass> involved = new LinkedHashSet<>(codeUnit.getReturnType().getAllInvolvedRawTypes());
				codeUnit.getParameterTypes().forEach((type) -> involved.addAll(type.getAllInvolvedRawTypes()));
				codeUnit.getExceptionTypes().forEach((type) -> involved.addAll(type.getAllInvolvedRawTypes()));
				Set<String> hidden = involved.stream()
					.map((type) -> type.isArray() ? type.getBaseComponentType() : type)
					.filter((type) -> !type.isPrimitive() && !isVisibleOutsideItsPackage(type))
					.map(JavaClass::getName)
					.collect(Collectors.toCollection(TreeSet::new));
				boolean satisfied = hidden.isEmpty();
				String message = codeUnit.getFullName()
						+ (satisfied ? " exposes only public types" : " exposes non-public types " + hidden) + " in "
						+ codeUnit.getSourceCodeLocation();
				events.add(new SimpleConditionEvent(codeUnit, satisfied, message));
			}

		};
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
