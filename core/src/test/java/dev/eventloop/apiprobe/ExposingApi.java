package dev.eventloop.apiprobe;

import java.util.List;
import java.util.function.Supplier;

/**
 * A public type whose public members name package-private types in every place a
 * signature can: for the attack on {@code PublicApiRules}, which must report each of
 * them, and only them.
 */
public class ExposingApi {

	public ExposingApi(Hidden hidden) {
	}

	public ExposingApi() {
	}

	public List<Hidden> typeArgument() {
		return List.of();
	}

	public void array(Hidden[] hidden) {
	}

	public void arrayInATypeArgument(Supplier<List<Hidden[][]>> hidden) {
	}

	public void wildcard(List<? extends Hidden> hidden) {
	}

	public void lowerBoundedWildcard(List<? super Hidden> hidden) {
	}

	public <T extends Hidden> void typeParameter(T hidden) {
	}

	public void throwsHidden() throws HiddenException {
	}

	public PrivateNested.Inner publicTypeOfAPrivateType() {
		return new PrivateNested.Inner();
	}

	protected Hidden protectedMember() {
		return new Hidden();
	}

	public List<String> onlyPublicTypes(Supplier<String[]> strings) throws IllegalStateException {
		return List.of(strings.get());
	}

	static class Hidden {

	}

	static class HiddenException extends Exception {

	}

	private static final class PrivateNested {

		public static final class Inner {

		}

	}

}
