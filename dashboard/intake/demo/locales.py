"""The demo world's locales: the same simulated company written out in English or in Persian.

The simulation (``world``) works on integer codes and never sees a name, so a locale is only how
the frames are written: the names a code becomes, the comment bank, the money unit, and the
calendar. The Persian world is the English one, code for code and draw for draw, with

- Persian names, mapped one to one from the English vocabularies (``Central``, the largest region
  and the incident's, is Tehran; ``Business``, the programme's segment, is «سازمانی»), so every
  planted story has the same structure and the same size;
- the Persian comment bank (``phrases_fa``), sentence for sentence parallel to the English one;
- money in Toman: every English amount times a factor (10,000 for plans, contact costs and
  compensation; more for devices, which cost more in Iran relative to a plan), rounded to whole
  thousands of Toman as Iranian prices are written;
- Saturday weeks: every date and time moves two days earlier, so each simulated week runs
  Saturday to Friday (Saturday is the first working day of the Iranian week) and the planted
  events start on a Saturday.

The contract's enumerations stay codes in both worlds (survey ``nps``/``csat``/``ces``, contact
channels, transaction kinds, severities): the app names them in the reader's language, as it
does ids. ``LOCALES`` maps a locale code to its ``DemoLocale``.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.intake.demo.phrases import COMMENTS
from dashboard.intake.demo.phrases_fa import COMMENTS_FA
from dashboard.intake.demo.vocab import (
    ACQUISITION_CHANNELS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_CHANNELS,
    JOURNEY_STAGES,
    PLANS,
    PRODUCTS,
    REASONS,
    REGIONS,
    SEGMENTS,
    TOUCHPOINTS,
    TRANSACTION_CHANNELS,
)


@dataclass(frozen=True)
class DemoLocale:
    """How the demo world is written out in one language (see the module docstring)."""

    code: str
    segments: tuple[str, ...]
    regions: tuple[str, ...]
    plans: tuple[str, ...]
    acquisition_channels: tuple[str, ...]
    reasons: tuple[str, ...]
    complaint_categories: tuple[str, ...]
    complaint_channels: tuple[str, ...]
    journey_stages: tuple[str, ...]
    touchpoints: tuple[str, ...]
    products: tuple[str, ...]
    transaction_channels: tuple[str, ...]
    comments: tuple[str, ...]
    #: the assumption set's ``currency`` (USD; IRT for Toman) and ``currency_symbol``
    currency: str
    currency_symbol: str
    #: amounts of the English world are multiplied by these (costs and compensation by the
    #: first, transactions by their product's), then rounded to ``money_rounding`` digits
    money_factor: float
    product_money_factor: tuple[float, ...]
    money_rounding: int
    #: the week the world's calendar counts (``iso`` Monday to Sunday, ``saturday``), the days
    #: every date moves to start its weeks there, and the calendar its dates are told in
    week_start: str
    day_shift: int
    calendar: str

    @property
    def is_source(self) -> bool:
        """True for the world as simulated (English): its frames are written unchanged."""
        return self.code == "en"

    def region(self, english: str) -> str:
        """The name of an English region in this locale."""
        return self.regions[REGIONS.index(english)]

    def segment(self, english: str) -> str:
        """The name of an English segment in this locale."""
        return self.segments[SEGMENTS.index(english)]


EN = DemoLocale(
    code="en", segments=SEGMENTS, regions=REGIONS, plans=PLANS,
    acquisition_channels=ACQUISITION_CHANNELS, reasons=REASONS,
    complaint_categories=COMPLAINT_CATEGORIES, complaint_channels=COMPLAINT_CHANNELS,
    journey_stages=JOURNEY_STAGES, touchpoints=TOUCHPOINTS, products=PRODUCTS,
    transaction_channels=TRANSACTION_CHANNELS, comments=tuple(COMMENTS),
    currency="USD", currency_symbol="$", money_factor=1.0,
    product_money_factor=(1.0,) * len(PRODUCTS), money_rounding=2,
    week_start="iso", day_shift=0, calendar="gregorian",
)

FA = DemoLocale(
    code="fa",
    # Mass, Affluent, Business
    segments=("عمومی", "ویژه", "سازمانی"),
    # North, South, East, West, Central (Central, the largest and the incident's, is Tehran)
    regions=("تبریز", "شیراز", "مشهد", "اصفهان", "تهران"),
    # Basic, Standard, Premium
    plans=("اقتصادی", "استاندارد", "طلایی"),
    # organic, paid, referral, promo, store
    acquisition_channels=("مراجعهٔ مستقیم", "تبلیغات", "معرفی دوستان", "جشنوارهٔ فروش",
                          "فروشگاه"),
    # billing, technical, account, sales, complaint, other
    reasons=("صورت‌حساب", "مشکل فنی", "حساب کاربری", "فروش", "شکایت", "سایر"),
    # billing, network, service_quality, installation, agent_attitude, product
    complaint_categories=("صورت‌حساب", "شبکه", "کیفیت خدمات", "نصب و راه‌اندازی",
                          "برخورد کارشناس", "محصول"),
    # phone, chat, email, store, social, web
    complaint_channels=("تلفن", "گفتگوی آنلاین", "ایمیل", "فروشگاه", "شبکه‌های اجتماعی",
                        "وب‌سایت"),
    # onboarding, usage, billing, support, renewal
    journey_stages=("آغاز اشتراک", "استفاده", "صورت‌حساب", "پشتیبانی", "تمدید"),
    # app, web, phone, store, technician, chat, email, social
    touchpoints=("اپلیکیشن", "وب‌سایت", "تلفن", "فروشگاه", "تکنسین", "گفتگوی آنلاین", "ایمیل",
                 "شبکه‌های اجتماعی"),
    # Basic plan, Standard plan, Premium plan, handset, tablet, router, accessory,
    # data_add_on, tv_add_on, insurance
    products=("طرح اقتصادی", "طرح استاندارد", "طرح طلایی", "گوشی همراه", "تبلت", "مودم",
              "لوازم جانبی", "بستهٔ اینترنت اضافه", "بستهٔ تلویزیون", "بیمهٔ دستگاه"),
    # direct_debit, card, invoice, online, app, store, telesales
    transaction_channels=("پرداخت خودکار", "کارت بانکی", "صورت‌حساب سازمانی", "درگاه اینترنتی",
                          "اپلیکیشن", "فروشگاه", "فروش تلفنی"),
    comments=tuple(COMMENTS_FA),
    currency="IRT", currency_symbol="تومان",
    # a plan of 25 becomes 250,000 Toman per 4 weeks, a phone contact costs 80,000 Toman;
    # a handset of 450 becomes 22.5 million Toman, a router 2.7 million
    money_factor=10_000.0,
    product_money_factor=(10_000.0, 10_000.0, 10_000.0, 50_000.0, 50_000.0, 30_000.0,
                          30_000.0, 10_000.0, 10_000.0, 20_000.0),
    money_rounding=-3,
    week_start="saturday", day_shift=-2, calendar="jalali",
)

LOCALES: dict[str, DemoLocale] = {"en": EN, "fa": FA}


def get(code: str) -> DemoLocale:
    """The demo locale for ``code`` (``en`` or ``fa``); ValueError naming the choices."""
    try:
        return LOCALES[code]
    except KeyError:
        raise ValueError(f"no demo world for locale {code!r}: choose one of "
                         f"{', '.join(LOCALES)}") from None
