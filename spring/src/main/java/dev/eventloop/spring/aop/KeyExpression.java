package dev.eventloop.spring.aop;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.KotlinDetector;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;

/**
 * The key expression of an {@code @OnEventLoop} method, parsed once and evaluated with
 * the variables of a {@link MethodBasedEvaluationContext}, as Spring's caching
 * annotations evaluate theirs: the arguments by parameter name and as {@code #aN} and
 * {@code #pN}, the argument array as {@code #root}. The names are bound to argument
 * indexes once, here; an expression that is only a reference to one argument
 * ({@code #id}, {@code #p0}) is read from the arguments without SpEL. Immutable.
 */
final class KeyExpression {

	private static final SpelExpressionParser parser = new SpelExpressionParser();

	private static final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	private static final int NO_INDEX = -1;

	private final Method method;

	private final Expression expression;

	private final int parameterCount;

	// the argument each variable name reads, for calls with one argument per parameter
	private final Map<String, Integer> bindings;

	// the argument a lone variable reference reads, or NO_INDEX to evaluate with SpEL
	private final int argumentIndex;

	private KeyExpression(Method method, Expression expression) {
		this.method = method;
		this.expression = expression;
		this.parameterCount = method.getParameterCount();
		this.bindings = bindings(method);
		this.argumentIndex = argumentIndex(expression, this.bindings);
	}

	/**
	 * Parse the key expression of a method.
	 * @throws InvalidKeyExpressionException if it does not parse
	 */
	static KeyExpression parse(Method method, String key) {
		try {
			return new KeyExpression(method, parser.parseExpression(key));
		}
		catch (ParseException ex) {
			throw new InvalidKeyExpressionException(EventLoopMethod.describe(method), key, ex);
		}
	}

	/**
	 * Work out which argument each variable name reads, as
	 * {@link MethodBasedEvaluationContext} binds names: for each parameter in order,
	 * {@code aN}, {@code pN}, then its name, a later binding replacing an earlier one.
	 * Empty for a Kotlin suspending function, whose last argument the context hides.
	 */
	private static Map<String, Integer> bindings(Method method) {
		if (KotlinDetector.isSuspendingFunction(method)) {
			return Map.of();
		}
		@Nullable String[] names = parameterNames.getParameterNames(method);
		int count = method.getParameterCount();
		if (names != null && names.length != count) {
			return Map.of();
		}
		Map<String, Integer> bindings = new HashMap<>();
		for (int i = 0; i < count; i++) {
			bindings.put("a" + i, i);
			bindings.put("p" + i, i);
			if (names != null && names[i] != null) {
				bindings.put(names[i], i);
			}
		}
		return Map.copyOf(bindings);
	}

	/**
	 * Return the argument a lone variable reference reads, or {@link #NO_INDEX}.
	 * {@code #root} and {@code #this} are not variables.
	 */
	private static int argumentIndex(Expression expression, Map<String, Integer> bindings) {
		if (!(expression instanceof SpelExpression spel) || !(spel.getAST() instanceof VariableReference reference)) {
			return NO_INDEX;
		}
		String name = reference.toStringAST().substring(1);
		Integer index = bindings.get(name);
		return (index != null && !name.equals("root") && !name.equals("this")) ? index : NO_INDEX;
	}

	/**
	 * Return the key for the arguments of a call.
	 * @throws IllegalArgumentException if the key is {@code null}
	 */
	Object value(Object[] arguments) {
		Object value;
		if (arguments.length != this.parameterCount || this.bindings.isEmpty()) {
			// a vararg call with more arguments than parameters, or a method whose
			// arguments the context binds itself
			value = this.expression
				.getValue(new MethodBasedEvaluationContext(arguments, this.method, arguments, parameterNames));
		}
		else if (this.argumentIndex != NO_INDEX) {
			value = arguments[this.argumentIndex];
		}
		else {
			value = this.expression.getValue(new KeyEvaluationContext(arguments, this));
		}
		if (value == null) {
			throw new IllegalArgumentException("Key expression '" + this.expression.getExpressionString()
					+ "' of @OnEventLoop on " + EventLoopMethod.describe(this.method)
					+ " evaluated to null: pass a non-null key or fix the expression");
		}
		return value;
	}

	/**
	 * Return whether a lone argument reference is read without SpEL (for tests).
	 */
	boolean readsArgumentDirectly() {
		return this.argumentIndex != NO_INDEX;
	}

	/**
	 * A {@link MethodBasedEvaluationContext} that reads the arguments by the bindings
	 * worked out once, instead of discovering the parameter names and binding every
	 * argument on each call. An expression that sets a variable named like an argument
	 * gets the arguments bound as the context binds them, when it would bind them, so
	 * that it sees what it would see over the plain context. One call, one thread.
	 */
	private static final class KeyEvaluationContext extends MethodBasedEvaluationContext {

		private final Object[] arguments;

		private final Map<String, Integer> bindings;

		// whether the context would have bound the arguments by now
		private boolean loaded;

		// whether the expression set a variable named like an argument before that
		private boolean assigned;

		// whether the arguments are bound as variables, not read by the bindings
		private boolean materialized;

		KeyEvaluationContext(Object[] arguments, KeyExpression key) {
			super(arguments, key.method, arguments, parameterNames);
			this.arguments = arguments;
			this.bindings = key.bindings;
		}

		@Override
		public @Nullable Object lookupVariable(String name) {
			// a miss makes the context load the arguments, as it would
			Object variable = super.lookupVariable(name);
			if (variable != null || this.materialized) {
				return variable;
			}
			Integer index = this.bindings.get(name);
			return (index != null) ? this.arguments[index] : null;
		}

		@Override
		public void setVariable(@Nullable String name, @Nullable Object value) {
			if (!this.materialized && name != null && this.bindings.containsKey(name)) {
				if (this.loaded) {
					// from now on the variable, even a null one, hides the argument
					materialize();
				}
				else {
					// the arguments, once bound, will replace it
					this.assigned = true;
				}
			}
			super.setVariable(name, value);
		}

		@Override
		protected void lazyLoadArguments() {
			this.loaded = true;
			if (this.assigned) {
				materialize();
			}
		}

		private void materialize() {
			this.materialized = true;
			super.lazyLoadArguments();
		}

	}

}
