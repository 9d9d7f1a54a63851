package dev.eventloop.apiprobe;

/**
 * A package-private type: its public nested type is not public API, whatever its members
 * name.
 */
class HiddenOwner {

	public static class PublicNested {

		public ExposingApi.Hidden notPublicApi(ExposingApi.Hidden hidden) {
			return hidden;
		}

	}

}
