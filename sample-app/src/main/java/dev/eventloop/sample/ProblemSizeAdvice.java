package dev.eventloop.sample;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Keeps every problem detail short, the sample's own and Spring's alike: a long request
 * path in {@code instance} or a long input quoted in {@code detail} (an unsupported
 * {@code Content-Type}, say) is cut to a prefix before the answer is written.
 */
@RestControllerAdvice
class ProblemSizeAdvice implements ResponseBodyAdvice<Object> {

	static final int MAX_DETAIL = 600;

	static final int MAX_INSTANCE = 100;

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public @Nullable Object beforeBodyWrite(@Nullable Object body, MethodParameter returnType,
			MediaType selectedContentType, Class<? extends HttpMessageConverter<?>> selectedConverterType,
			ServerHttpRequest request, ServerHttpResponse response) {
		if (body instanceof ProblemDetail problem) {
			String detail = problem.getDetail();
			if (detail != null && detail.length() > MAX_DETAIL) {
				problem.setDetail(Inputs.shorten(detail, MAX_DETAIL));
			}
			URI instance = problem.getInstance();
			if (instance != null && instance.getRawPath() != null && instance.getRawPath().length() > MAX_INSTANCE) {
				problem.setInstance(shortPath(instance.getRawPath()));
			}
		}
		return body;
	}

	/**
	 * The first characters of a long path, cut before any percent escape they would
	 * split.
	 */
	private static URI shortPath(String rawPath) {
		int end = MAX_INSTANCE;
		int escape = rawPath.lastIndexOf('%', end - 1);
		if (escape >= 0 && escape > end - 3) {
			end = escape;
		}
		return URI.create(rawPath.substring(0, end) + "...");
	}

}
