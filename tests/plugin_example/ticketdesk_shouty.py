"""An example third-party classifier, found by TicketDesk through the `ticketdesk.classifiers` entry points."""
from ticketdesk.classifiers import Classifier, Suggestion


class ShoutyClassifier(Classifier):
    name = "shouty"
    settings = ("SHOUTY_LEVEL",)

    def __init__(self, level: str = "critical"):
        self.level = level

    @classmethod
    def from_config(cls, config):
        return cls(config.get("SHOUTY_LEVEL") or "critical")

    def classify(self, description: str, title: str = "") -> Suggestion:
        text = f"{title} {description}"
        letters = [c for c in text if c.isalpha()]
        shouting = letters and sum(c.isupper() for c in letters) / len(letters) > 0.6
        return Suggestion("general", self.level if shouting else "low", self.name)
