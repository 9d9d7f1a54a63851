package dev.eventloop.spring.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.util.ReflectionUtils;

/**
 * {@link RuntimeHintsRegistrar} for what the auto-configuration reads reflectively at
 * runtime: the settings classes whose bean properties are the valid configuration keys,
 * and the factory that turns an empty loop entry into default settings.
 */
class EventLoopRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		for (Class<?> settings : new Class<?>[] { EventLoopProperties.Loop.class,
				EventLoopProperties.Defaults.class }) {
			hints.reflection()
				.registerType(settings, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS,
						MemberCategory.INVOKE_PUBLIC_METHODS);
		}
		hints.reflection()
			.registerMethod(ReflectionUtils.findMethod(EventLoopProperties.Loop.class, "valueOf", String.class),
					ExecutableMode.INVOKE);
	}

}
