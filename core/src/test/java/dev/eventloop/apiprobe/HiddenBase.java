package dev.eventloop.apiprobe;

/**
 * The package-private base of {@link InheritingApi}.
 */
class HiddenBase<B extends HiddenBase<B>> {

	public ExposingApi.Hidden inherited() {
		return new ExposingApi.Hidden();
	}

	public String inheritedAndClean() {
		return "clean";
	}

	// the self type, as a builder's setters return it: the public subclass at the caller
	@SuppressWarnings("unchecked")
	public B self() {
		return (B) this;
	}

}
