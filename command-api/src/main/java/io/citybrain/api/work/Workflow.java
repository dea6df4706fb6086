package io.citybrain.api.work;

import io.citybrain.proto.Word;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** A lifecycle as data: for each state, the states it may move to; words in, words out. */
public final class Workflow<E extends Enum<E> & Word> {
  private final Class<E> vocabulary;
  private final Map<E, List<E>> next;

  private Workflow(Class<E> vocabulary, Map<E, List<E>> next) {
    this.vocabulary = vocabulary;
    this.next = next;
  }

  public static <E extends Enum<E> & Word> Builder<E> of(Class<E> vocabulary) {
    return new Builder<>(vocabulary);
  }

  /** Every state's word, in declaration order. */
  public List<String> states() {
    return Word.words(vocabulary);
  }

  /** The words a {@code state} may move to; empty for a final or unknown state. */
  public List<String> allowed(String state) {
    if (!states().contains(state)) {
      return List.of();
    }
    return next.getOrDefault(Word.parse(vocabulary, state), List.of()).stream()
        .map(Word::word)
        .toList();
  }

  public boolean canMove(String from, String to) {
    return allowed(from).contains(to);
  }

  /** Collects the moves. */
  public static final class Builder<E extends Enum<E> & Word> {
    private final Class<E> vocabulary;
    private final Map<E, List<E>> next;

    private Builder(Class<E> vocabulary) {
      this.vocabulary = vocabulary;
      this.next = new EnumMap<>(vocabulary);
    }

    @SafeVarargs
    public final Builder<E> from(E state, E... to) {
      next.put(state, List.of(to));
      return this;
    }

    public Workflow<E> build() {
      return new Workflow<>(vocabulary, Map.copyOf(next));
    }
  }
}
