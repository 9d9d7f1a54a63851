package dev.eventloop.spring;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.annotation.SimpleReflectiveProcessor;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;

/**
 * Registers the reflection that {@link OnEventLoop @OnEventLoop} and
 * {@link Offload @Offload} need in an AOT-processed application: the annotated methods
 * are invoked and their types searched for annotations, and the arguments of a method
 * with a key expression are read by that expression.
 */
class EventLoopReflectiveProcessor extends SimpleReflectiveProcessor {

	private final BindingReflectionHintsRegistrar bindings = new BindingReflectionHintsRegistrar();

	@Override
	public void registerReflectionHints(ReflectionHints hints, AnnotatedElement element) {
		super.registerReflectionHints(hints, element);
		if (element instanceof Class<?> type) {
			hints.registerType(type, MemberCategory.INVOKE_PUBLIC_METHODS);
			OnEventLoop onEventLoop = AnnotatedElementUtils.findMergedAnnotation(type, OnEventLoop.class);
			if (onEventLoop != null && StringUtils.hasText(onEventLoop.key())) {
				for (Method method : type.getMethods()) {
					if (method.getDeclaringClass() != Object.class && !Modifier.isStatic(method.getModifiers())) {
						this.bindings.registerReflectionHints(hints, method.getGenericParameterTypes());
					}
				}
			}
		}
	}

	@Override
	protected void registerMethodHint(ReflectionHints hints, Method method) {
		super.registerMethodHint(hints, method);
		hints.registerType(method.getDeclaringClass());
		OnEventLoop onEventLoop = AnnotatedElementUtils.findMergedAnnotation(method, OnEventLoop.class);
		if (onEventLoop != null && StringUtils.hasText(onEventLoop.key())) {
			this.bindings.registerReflectionHints(hints, method.getGenericParameterTypes());
		}
	}

}
