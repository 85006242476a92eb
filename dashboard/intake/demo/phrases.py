"""The phrase bank of the demo's comments: sentences keyed to a theme and a sentiment.

A comment is one of four first sentences of its theme (network, billing, price, ...) and
sentiment (negative, neutral, positive), optionally followed by one of five closers of the same
sentiment, so topic and sentiment models have a true answer. ``COMMENTS`` lists every comment the
bank can produce; the simulation stores an index into it (see ``draw_comments``).
"""

from __future__ import annotations

import numpy as np

THEMES = ("network", "billing", "price", "service", "app", "store", "technician",
          "installation", "product", "general")
(T_NETWORK, T_BILLING, T_PRICE, T_SERVICE, T_APP, T_STORE, T_TECHNICIAN, T_INSTALLATION,
 T_PRODUCT, T_GENERAL) = range(10)

PHRASES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # theme: (negative, neutral, positive)
    "network": (
        ("The signal keeps dropping, especially in the evenings.",
         "Mobile data has been painfully slow for weeks.",
         "We had no service at all during the outage and nobody told us why.",
         "Calls drop whenever I am indoors."),
        ("Coverage is fine most of the time but patchy in places.",
         "Speeds are okay, nothing special.",
         "The network works, though it slows down at peak times.",
         "Signal is acceptable where I live."),
        ("Coverage is excellent everywhere I go.",
         "Data speeds are fast and reliable.",
         "I never have dropped calls any more.",
         "The network has been rock solid."),
    ),
    "billing": (
        ("My bill was wrong again and I had to chase a refund.",
         "I was charged for things I never ordered.",
         "The bill is impossible to understand.",
         "I got charged twice this month."),
        ("The bill is mostly clear, a few charges are confusing.",
         "Billing is fine once you get used to it.",
         "Payment works but the invoice could be simpler.",
         "My bill was a little higher than expected."),
        ("Billing is clear and always correct.",
         "The bill arrives on time and is easy to read.",
         "They fixed a billing error quickly and without fuss.",
         "Paying is simple and transparent."),
    ),
    "price": (
        ("It is far too expensive for what you get.",
         "The price went up again without any improvement.",
         "Competitors offer much better deals.",
         "I feel I am overpaying every month."),
        ("The price is about what I expected.",
         "Value for money is average.",
         "Prices are similar to other providers.",
         "It is not cheap, but not outrageous either."),
        ("Great value for money.",
         "The plan is well priced for what it includes.",
         "I appreciate the loyalty discount.",
         "Fair price for a good service."),
    ),
    "service": (
        ("I waited ages on hold and the agent could not help.",
         "I had to explain my problem three times.",
         "Nobody called me back as promised.",
         "The staff were rude and dismissive."),
        ("The agent was polite but it took a while.",
         "Support solved part of my issue.",
         "It took two contacts but it got sorted.",
         "Service was okay, nothing memorable."),
        ("The agent solved my problem on the first call.",
         "Friendly, knowledgeable staff.",
         "Support was quick and helpful.",
         "They went out of their way to help me."),
    ),
    "app": (
        ("The app crashes every time I try to pay.",
         "I could not find what I needed online.",
         "The website keeps logging me out.",
         "Self-service never works for my problem."),
        ("The app does the basics.",
         "The website is usable but cluttered.",
         "Self-service handled part of my request.",
         "The app is fine, a bit slow to load."),
        ("The app makes everything easy.",
         "I sorted it myself online in two minutes.",
         "Self-service is quick and clear.",
         "I love how simple the app is."),
    ),
    "store": (
        ("The store was understaffed and I queued for an hour.",
         "Staff in the shop did not know the products.",
         "The store could not help and sent me to the phone line.",
         "The shop experience was chaotic."),
        ("The store visit was fine.",
         "Staff were helpful enough.",
         "I got what I needed in the shop, eventually.",
         "An average experience in the store."),
        ("The store staff were brilliant.",
         "A quick and helpful visit to the shop.",
         "They set up my new phone in the store for me.",
         "Great in-store advice."),
    ),
    "technician": (
        ("The technician never turned up.",
         "The engineer left without fixing the fault.",
         "I took a day off work and the visit was cancelled.",
         "The technician was late and in a hurry."),
        ("The technician fixed it on the second visit.",
         "The engineer arrived within the time slot.",
         "The repair visit was okay.",
         "The technician did the job, no more."),
        ("The technician was on time and fixed everything.",
         "A very professional engineer.",
         "The repair was quick and tidy.",
         "The engineer explained everything clearly."),
    ),
    "installation": (
        ("Installation took weeks longer than promised.",
         "The setup was a mess and nothing worked.",
         "My new line was activated late.",
         "The router arrived without instructions."),
        ("Setup took a bit longer than expected.",
         "Installation went okay.",
         "The activation was fine after a small delay.",
         "Getting connected was straightforward enough."),
        ("Installation was fast and painless.",
         "Everything worked from day one.",
         "Setup was smooth and quick.",
         "Switching over was effortless."),
    ),
    "product": (
        ("The device I bought is faulty.",
         "The router keeps rebooting.",
         "The TV package is missing the channels I was promised.",
         "My new phone had problems from day one."),
        ("The products are okay.",
         "The device does what it should.",
         "The package is fine for now.",
         "A decent choice of devices."),
        ("A great choice of phones and plans.",
         "The new router is excellent.",
         "Really happy with my new phone.",
         "The bundle has everything I need."),
    ),
    "general": (
        ("Overall a disappointing experience.",
         "I am thinking of switching provider.",
         "Things have got worse lately.",
         "I expected much better."),
        ("Overall it is okay.",
         "No major complaints.",
         "It does the job.",
         "Could be better, could be worse."),
        ("Overall very happy.",
         "I would recommend them to friends.",
         "Everything just works.",
         "Consistently good service."),
    ),
}
CLOSERS: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = (
    ("I am seriously considering leaving.", "Please fix this.", "Very frustrating.",
     "Not good enough.", "I expected better from you."),
    ("Some room for improvement.", "Nothing more to add.", "It is acceptable.",
     "I hope it gets better.", "Fine for now."),
    ("Keep it up!", "Thank you!", "Very satisfied.", "I would recommend you.", "Impressed."),
)
N_FIRST, N_CLOSER = 4, 5


def _comment_table() -> list[str]:
    """Every comment the bank can produce, indexed by (theme, sentiment, first, closer)."""
    out = []
    for theme in THEMES:
        for sentiment in range(3):
            for first in PHRASES[theme][sentiment]:
                out.append(first)
                out.extend(f"{first} {closer}" for closer in CLOSERS[sentiment])
    return out


COMMENTS = _comment_table()


def draw_comments(rng: np.random.Generator, theme: np.ndarray, sentiment: np.ndarray,
                  share: float) -> np.ndarray:
    """Comment codes (indices into ``COMMENTS``) for answers of ``theme`` and ``sentiment``.

    About ``share`` of the answers carry a comment (negative ones more often); -1 where none.
    """
    m = len(theme)
    has = rng.random(m) < share * np.where(sentiment == 0, 1.35, 0.85)
    first = rng.integers(0, N_FIRST, m)
    closer = np.where(rng.random(m) < 0.4, 1 + rng.integers(0, N_CLOSER, m), 0)
    code = ((theme.astype(np.int64) * 3 + sentiment) * N_FIRST + first) * (N_CLOSER + 1) \
        + closer
    return np.where(has, code, -1).astype(np.int32)

# theme distribution for relationship NPS comments without a more specific cause, by sentiment
NPS_THEME_MIX = np.array([
    [0.22, 0.14, 0.22, 0.14, 0.08, 0.02, 0.02, 0.02, 0.06, 0.08],
    [0.18, 0.10, 0.18, 0.12, 0.10, 0.04, 0.02, 0.02, 0.08, 0.16],
    [0.22, 0.06, 0.10, 0.20, 0.14, 0.05, 0.02, 0.02, 0.07, 0.12],
])
# complaint category -> comment theme
CATEGORY_THEME = np.array([T_BILLING, T_NETWORK, T_SERVICE, T_INSTALLATION, T_SERVICE,
                           T_PRODUCT])
# contact reason -> comment theme (post-contact surveys)
REASON_THEME = np.array([T_BILLING, T_NETWORK, T_SERVICE, T_PRODUCT, T_SERVICE, T_GENERAL])
