package dev.eventloop;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.JavaTypeVariable;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import com.tngtech.archunit.lang.syntax.elements.GivenCodeUnitsConjunction;

/**
 * The architecture rules every module of the project applies to itself, in one place:
 * what its public API may expose, and which classes a module's rules import. Shared with
 * the other modules' tests through this module's test jar (which holds only this class).
 */
public final class PublicApiRules {

	private PublicApiRules() {
	}

	/**
	 * The public API of the project's classes in the given packages: public methods and
	 * constructors of types that code outside their package can see.
	 * @param packages ArchUnit package identifiers, such as
	 * {@code "dev.eventloop.spring.."}
	 * @return the code units, for a {@code should(..)}
	 */
	public static GivenCodeUnitsConjunction publicApiOf(String... packages) {
		return ArchRuleDefinition.codeUnits()
			.that(arePartOfThePublicApi())
			.and()
			.areDeclaredInClassesThat()
			.resideInAnyPackage(packages);
	}

	/**
	 * Methods and constructors that code outside the package can call: the public members
	 * of types it can see, the public members those types inherit from types it cannot
	 * see (a package-private builder base, say), and the protected members of types it
	 * can see and extend.
	 * @return the predicate
	 */
	static DescribedPredicate<JavaCodeUnit> arePartOfThePublicApi() {
		return DescribedPredicate
			.describe("are public members of public types, or protected members of extensible ones", (codeUnit) -> {
				Set<JavaModifier> modifiers = codeUnit.getModifiers();
				JavaClass owner = codeUnit.getOwner();
				if (modifiers.contains(JavaModifier.SYNTHETIC)) {
					return false;
				}
				if (modifiers.contains(JavaModifier.PUBLIC)) {
					return isVisibleOutsideItsPackage(owner)
							|| owner.getAllSubclasses().stream().anyMatch(PublicApiRules::isVisibleOutsideItsPackage);
				}
				return modifiers.contains(JavaModifier.PROTECTED) && isVisibleOutsideItsPackage(owner)
						&& !owner.getModifiers().contains(JavaModifier.FINAL);
			});
	}

	static boolean isVisibleOutsideItsPackage(JavaClass type) {
		if (!type.getModifiers().contains(JavaModifier.PUBLIC)) {
			return false;
		}
		return type.getEnclosingClass().map(PublicApiRules::isVisibleOutsideItsPackage).orElse(true);
	}

	/**
	 * Every type a member names in its signature (return type, parameter types, type
	 * arguments and declared exceptions) can be seen from outside its package.
	 * @return the condition
	 */
	public static ArchCondition<JavaCodeUnit> exposeOnlyPublicTypes() {
		return new ArchCondition<>("expose only public types in their signatures") {

			@Override
			public void check(JavaCodeUnit codeUnit, ConditionEvents events) {
				Set<JavaClass> involved = new LinkedHashSet<>(involvedTypes(codeUnit.getReturnType(), codeUnit));
				codeUnit.getParameterTypes().forEach((type) -> involved.addAll(involvedTypes(type, codeUnit)));
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
	 * The raw types a signature's type names. The self type of a hidden base ({@code B
	 * extends LoopBuilder<B>}, as a public builder inherits it) names nothing: at the
	 * caller it is the public subclass.
	 */
	private static Set<JavaClass> involvedTypes(JavaType type, JavaCodeUnit codeUnit) {
		JavaClass owner = codeUnit.getOwner();
		if (type instanceof JavaTypeVariable<?> variable && !isVisibleOutsideItsPackage(owner)
				&& variable.toErasure().equals(owner)) {
			return Set.of();
		}
		return type.getAllInvolvedRawTypes();
	}

	/**
	 * Leaves out the jars of other projects (Spring, Kafka, ...), which hold no class of
	 * this project and take seconds to read, and the project's own test jars, whose
	 * classes are tests (as {@link ImportOption.DoNotIncludeTests} leaves out test class
	 * folders).
	 */
	public static final class OnlyTheProjectsOwnJars implements ImportOption {

		@Override
		public boolean includes(Location location) {
			return !location.isJar() || (location.contains("/eventloop-") && !location.contains("-tests.jar"));
		}

	}

}
