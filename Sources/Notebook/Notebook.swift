/// What chapters use to speak. Filled in by the chapters issue.
public enum Notebook {}
