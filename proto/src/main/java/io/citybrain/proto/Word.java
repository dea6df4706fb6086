package io.citybrain.proto;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A vocabulary whose values are stored, sent and shown as lower-case words ({@code timed_out}): the
 * words are the enum's names, so the database, the JSON and the wall cannot drift apart.
 */
public interface Word {
  String name();

  /** The stored and shown form, e.g. {@code timed_out}. */
  default String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value whose word this is; an unknown word is an {@link IllegalArgumentException}. */
  static <E extends Enum<E> & Word> E parse(Class<E> vocabulary, String word) {
    for (E value : vocabulary.getEnumConstants()) {
      if (value.word().equals(word)) {
        return value;
      }
    }
    throw new IllegalArgumentException(
        "'"
            + word
            + "' is not a "
            + vocabulary.getSimpleName()
            + " (one of "
            + words(vocabulary)
            + ")");
  }

  /** Every word of the vocabulary, in declaration order. */
  static <E extends Enum<E> & Word> List<String> words(Class<E> vocabulary) {
    return Arrays.stream(vocabulary.getEnumConstants()).map(Word::word).toList();
  }
}
