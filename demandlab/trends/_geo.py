"""Localised Google Trends geo labels -> ISO 3166-1 alpha-2 codes.

Manual Google Trends exports name the region in the UI language of whoever
exported them: ``Dumbbell: (Nederland)``, ``dumbbell: (Netherlands)``,
``haltère: (Pays-Bas)``. This table maps the labels of the countries importers
most often look at, in the UI languages most often met (English, Dutch, French,
German, Spanish, Italian, Portuguese, Polish), to ISO codes. ``""`` means
worldwide. A label that is not in the table is kept as it is.
"""

from __future__ import annotations

__all__ = ["geo_code"]

# ISO code -> labels in several UI languages
_LABELS: dict[str, tuple[str, ...]] = {
    "": ("Worldwide", "Wereldwijd", "Monde", "Dans le monde entier", "Weltweit",
         "Todo el mundo", "Mundial", "Tutto il mondo", "Mondo", "Todo o mundo",
         "Mundo", "Cały świat", "Världen", "Hele verden", "Koko maailma"),
    "NL": ("Netherlands", "Nederland", "Pays-Bas", "Niederlande", "Países Bajos",
           "Paesi Bassi", "Países Baixos", "Holanda", "Holandia", "Nederländerna",
           "The Netherlands"),
    "BE": ("Belgium", "België", "Belgique", "Belgien", "Bélgica", "Belgio", "Belgia"),
    "LU": ("Luxembourg", "Luxemburg", "Luxemburgo", "Lussemburgo", "Luksemburg"),
    "DE": ("Germany", "Duitsland", "Allemagne", "Deutschland", "Alemania", "Germania",
           "Alemanha", "Niemcy", "Tyskland"),
    "FR": ("France", "Frankrijk", "Frankreich", "Francia", "França", "Francja"),
    "GB": ("United Kingdom", "Verenigd Koninkrijk", "Royaume-Uni", "Vereinigtes Königreich",
           "Reino Unido", "Regno Unito", "Wielka Brytania", "UK"),
    "IE": ("Ireland", "Ierland", "Irlande", "Irland", "Irlanda", "Irlandia"),
    "US": ("United States", "Verenigde Staten", "États-Unis", "Vereinigte Staaten",
           "Estados Unidos", "Stati Uniti", "Stany Zjednoczone", "USA"),
    "CA": ("Canada", "Kanada", "Canadá"),
    "AU": ("Australia", "Australië", "Australie", "Australien", "Austrália"),
    "ES": ("Spain", "Spanje", "Espagne", "Spanien", "España", "Spagna", "Espanha",
           "Hiszpania"),
    "IT": ("Italy", "Italië", "Italie", "Italien", "Italia", "Itália", "Włochy"),
    "PT": ("Portugal", "Portogallo", "Portugalia"),
    "AT": ("Austria", "Oostenrijk", "Autriche", "Österreich", "Áustria"),
    "CH": ("Switzerland", "Zwitserland", "Suisse", "Schweiz", "Suiza", "Svizzera",
           "Suíça", "Szwajcaria"),
    "DK": ("Denmark", "Denemarken", "Danemark", "Dänemark", "Dinamarca", "Danimarca",
           "Dania", "Danmark"),
    "SE": ("Sweden", "Zweden", "Suède", "Schweden", "Suecia", "Svezia", "Suécia",
           "Szwecja", "Sverige"),
    "NO": ("Norway", "Noorwegen", "Norvège", "Norwegen", "Noruega", "Norvegia",
           "Norwegia", "Norge"),
    "FI": ("Finland", "Finland", "Finlande", "Finnland", "Finlandia", "Finlândia", "Suomi"),
    "PL": ("Poland", "Polen", "Pologne", "Polonia", "Polônia", "Polska"),
    "CZ": ("Czechia", "Czech Republic", "Tsjechië", "Tchéquie", "République tchèque",
           "Tschechien", "Chequia", "Repubblica Ceca", "Czechy"),
    "GR": ("Greece", "Griekenland", "Grèce", "Griechenland", "Grecia", "Grécia", "Grecja"),
    "TR": ("Turkey", "Türkiye", "Turkije", "Turquie", "Türkei", "Turquía", "Turchia",
           "Turcja"),
    "CN": ("China", "Chine", "Cina", "Chiny"),
    "HK": ("Hong Kong",),
    "JP": ("Japan", "Japon", "Japón", "Giappone", "Japão", "Japonia"),
    "IN": ("India", "Inde", "Indien", "Índia", "Indie"),
    "BR": ("Brazil", "Brazilië", "Brésil", "Brasilien", "Brasil", "Brasile", "Brazylia"),
    "MX": ("Mexico", "Mexique", "Mexiko", "México", "Messico", "Meksyk"),
}

_LOOKUP: dict[str, str] = {
    label.casefold(): code for code, labels in _LABELS.items() for label in labels
}


def geo_code(label: str) -> str:
    """ISO code for a localised geo label, or the label itself when unknown.

    Examples
    --------
    >>> geo_code("Nederland"), geo_code("Pays-Bas"), geo_code("Wereldwijd")
    ('NL', 'NL', '')
    >>> geo_code("Noord-Holland")
    'Noord-Holland'
    """
    label = label.strip()
    return _LOOKUP.get(label.casefold(), label)
