package io.citybrain.simulators.work;

/** What every desk has: its kind, the API route of its items and their id field, its people. */
abstract class ApiDesk implements Desk {
  private final String kind;
  private final String idField;
  private final String route;
  private final WorkApi api;
  final HandlingModel model;

  ApiDesk(String kind, String idField, String route, WorkApi api, HandlingModel model) {
    this.kind = kind;
    this.idField = idField;
    this.route = route;
    this.api = api;
    this.model = model;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public String idField() {
    return idField;
  }

  @Override
  public String itemPath(String id) {
    return route + "/" + id;
  }

  @Override
  public WorkApi api() {
    return api;
  }

  /** The items' list with a query, e.g. {@code state=open&limit=1000}. */
  String list(String query) {
    return route + "?" + query;
  }
}
