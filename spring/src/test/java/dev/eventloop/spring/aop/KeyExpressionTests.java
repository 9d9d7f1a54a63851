package dev.eventloop.spring.aop;

import java.lang.reflect.Method;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Key expressions: whatever the proxy reads directly or evaluates with its own bindings
 * must be what SpEL gives over a {@link MethodBasedEvaluationContext}, the way the key
 * was evaluated on every call before.
 */
class KeyExpressionTests {

	private static final SpelExpressionParser parser = new SpelExpressionParser();

	@Test
	void argumentByNameShouldBeReadDirectly() {
		KeyExpression key = key("byName", "#id");
		assertThat(key.readsArgumentDirectly()).isTrue();
		assertSameAsSpel("byName", "#id", "id-1", "other");
	}

	@Test
	void argumentByPositionShouldBeReadDirectly() {
		assertThat(key("byName", "#p1").readsArgumentDirectly()).isTrue();
		assertThat(key("byName", "#a0").readsArgumentDirectly()).isTrue();
		assertSameAsSpel("byName", "#p1", "id-1", "other");
		assertSameAsSpel("byName", "#a0", "id-1", "other");
	}

	@Test
	void parameterNamedLikeAnotherPositionShouldResolveAsSpelBindsIt() {
		// parameter 0 is named p1: SpEL binds #p1 to argument 0, then to argument 1
		KeyExpression key = key("confusing", "#p1");
		assertThat(key.value(new Object[] { "first", "second" })).isEqualTo("second");
		assertSameAsSpel("confusing", "#p1", "first", "second");
		assertSameAsSpel("confusing", "#p0", "first", "second");
	}

	@Test
	void rootShouldBeTheArgumentsEvenWithAParameterNamedRoot() {
		KeyExpression key = key("rooted", "#root");
		assertThat(key.readsArgumentDirectly()).isFalse();
		Object[] arguments = { "parameter" };
		assertThat(key.value(arguments)).isSameAs(arguments);
		assertThat(key("rooted", "#root[0]").value(arguments)).isEqualTo("parameter");
	}

	@Test
	void expressionThatOnlyStartsWithAnArgumentShouldBeEvaluated() {
		KeyExpression key = key("byName", "#id.length()");
		assertThat(key.readsArgumentDirectly()).isFalse();
		assertSameAsSpel("byName", "#id.length()", "id-1", "other");
		assertSameAsSpel("byName", "#id + '/' + #p1", "id-1", "other");
		assertSameAsSpel("byName", "#id == null ? #other : #id", "id-1", "other");
	}

	@Test
	void unknownVariableShouldBeRefusedAsNull() {
		KeyExpression key = key("byName", "#nope");
		assertThat(key.readsArgumentDirectly()).isFalse();
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> key.value(new Object[] { "id-1", "other" }))
			.withMessageContaining("'#nope'")
			.withMessageContaining("evaluated to null");
	}

	@Test
	void nullArgumentShouldBeRefusedWhetherReadDirectlyOrEvaluated() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> key("byName", "#id").value(new Object[] { null, "other" }))
			.withMessageContaining("evaluated to null");
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> key("byName", "#id?.toString()").value(new Object[] { null, "other" }))
			.withMessageContaining("evaluated to null");
	}

	@Test
	void varargsShouldBeBoundAsSpelBindsThem() {
		assertSameAsSpel("varargs", "#ids", "head", new String[] { "a", "b" });
		assertSameAsSpel("varargs", "#p1[1]", "head", new String[] { "a", "b" });
		// more arguments than parameters: SpEL gathers the rest into the last one
		Object[] spread = { "head", "a", "b" };
		Object spel = spel("varargs", "#ids.length", spread);
		assertThat(key("varargs", "#ids.length").value(spread)).isEqualTo(spel).isEqualTo(2);
	}

	@Test
	void variableAssignedByTheExpressionShouldWinOverTheArgument() {
		assertSameAsSpel("byName", "(#id = 'assigned') + #id", "id-1", "other");
	}

	private static KeyExpression key(String method, String expression) {
		return KeyExpression.parse(method(method), expression);
	}

	private static void assertSameAsSpel(String method, String expression, @Nullable Object... arguments) {
		Object expected = spel(method, expression, arguments);
		assertThat(expected).isNotNull();
		assertThat(key(method, expression).value(arguments)).isEqualTo(expected);
	}

	private static @Nullable Object spel(String method, String expression, @Nullable Object[] arguments) {
		Method found = method(method);
		return parser.parseExpression(expression)
			.getValue(new MethodBasedEvaluationContext(arguments, found, arguments,
					new DefaultParameterNameDiscoverer()));
	}

	private static Method method(String name) {
		for (Method method : ReflectionUtils.getDeclaredMethods(Keys.class)) {
			if (method.getName().equals(name)) {
				return method;
			}
		}
		throw new IllegalArgumentException(name);
	}

	static class Keys {

		public void byName(String id, String other) {
		}

		public void confusing(String p1, String second) {
		}

		public void rooted(String root) {
		}

		public void varargs(String head, String... ids) {
		}

	}

}
