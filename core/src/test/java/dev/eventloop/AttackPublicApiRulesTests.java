package dev.eventloop;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on {@link PublicApiRules}, the rules every module's architecture tests apply: a
 * package-private type named anywhere in the signature of a public member of a public
 * type (a type argument, an array, a wildcard's bound, a type parameter's bound, a throws
 * clause, a constructor) is reported; a public nested type of a package-private type is
 * not public API; and the import option reads the project's own jars, not its test jars
 * nor other projects' jars.
 */
class AttackPublicApiRulesTests {

	private static final String PROBE = "dev.eventloop.apiprobe.ExposingApi";

	@Test
	void everyPlaceASignatureCanNameAPackagePrivateTypeIsReportedAndNothingElse() {
		// the probes are test classes: the module's own rule (DoNotIncludeTests) never
		// sees them
		JavaClasses probes = new ClassFileImporter().importPackages("dev.eventloop.apiprobe");
		EvaluationResult result = PublicApiRules.publicApiOf("dev.eventloop.apiprobe..")
			.should(PublicApiRules.exposeOnlyPublicTypes())
			.evaluate(probes);
		List<String> reported = result.getFailureReport()
			.getDetails()
			.stream()
			.map((detail) -> detail.substring(0, detail.indexOf(" exposes non-public types")))
			.collect(Collectors.toList());
		assertThat(reported).containsExactlyInAnyOrder(PROBE + ".<init>(" + PROBE + "$Hidden)",
				PROBE + ".typeArgument()", PROBE + ".array([L" + PROBE + "$Hidden;)",
				PROBE + ".arrayInATypeArgument(java.util.function.Supplier)", PROBE + ".wildcard(java.util.List)",
				PROBE + ".lowerBoundedWildcard(java.util.List)", PROBE + ".typeParameter(" + PROBE + "$Hidden)",
				PROBE + ".throwsHidden()", PROBE + ".publicTypeOfAPrivateType()", PROBE + ".protectedMember()",
				"dev.eventloop.apiprobe.HiddenBase.inherited()");
		assertThat(result.getFailureReport().getDetails()).filteredOn((detail) -> detail.contains(".throwsHidden()"))
			.singleElement()
			.asString()
			.contains("[" + PROBE + "$HiddenException]");
	}

	@Test
	void theProjectsOwnJarsAreReadButNotItsTestJarsNorOtherProjectsJars() {
		PublicApiRules.OnlyTheProjectsOwnJars option = new PublicApiRules.OnlyTheProjectsOwnJars();
		String repository = "jar:file:/home/builder/.m2/repository/";
		// class folders: the module's own, and a reactor module's before it is packaged
		assertThat(option.includes(location("file:/work/project/kafka/target/classes/"))).isTrue();
		assertThat(option.includes(location("file:/work/project/core/target/classes/"))).isTrue();
		// the project's jars, from the local repository or from a reactor module's target
		for (String artifact : List.of("eventloop-core", "eventloop-spring", "eventloop-spring-boot-autoconfigure",
				"eventloop-spring-kafka", "eventloop-kotlin", "eventloop-spring-boot-test")) {
			assertThat(option.includes(location(repository + "dev/eventloop/" + artifact + "/0.1.0-SNAPSHOT/" + artifact
					+ "-0.1.0-SNAPSHOT.jar!/")))
				.as(artifact)
				.isTrue();
		}
		assertThat(
				option.includes(location("jar:file:/work/project/spring/target/eventloop-spring-0.1.0-SNAPSHOT.jar!/")))
			.isTrue();
		// the project's test jars, wherever they come from
		assertThat(option.includes(location(
				repository + "dev/eventloop/eventloop-core/0.1.0-SNAPSHOT/eventloop-core-0.1.0-SNAPSHOT-tests.jar!/")))
			.isFalse();
		assertThat(option
			.includes(location("jar:file:/work/project/core/target/eventloop-core-0.1.0-SNAPSHOT-tests.jar!/")))
			.isFalse();
		// other projects' jars
		assertThat(option.includes(location(
				repository + "org/springframework/spring-core/7.0.0/spring-core-7.0.0.jar!/org/springframework/")))
			.isFalse();
		assertThat(option.includes(location(repository + "org/jctools/jctools-core/4.0.5/jctools-core-4.0.5.jar!/")))
			.isFalse();
	}

	private static Location location(String uri) {
		return Location.of(URI.create(uri));
	}

}
