# ruff: noqa: E501 - prose, one paragraph a line, as it is printed
"""The texts the project ships (French and English, version 1), written once: the migration that
creates them (0022) and the tests that need them after a flush both read them from here. Plain
data: no model, no translation (each text *is* in its language)."""

from __future__ import annotations

DECLARATION_FR = """\
Je, soussigné(e), déclare :

1. Participer de mon plein gré au programme national de désarmement, démobilisation et réintégration (DDR). Personne ne m'a forcé(e), menacé(e) ou payé(e) pour y participer.
2. Avoir été informé(e), dans une langue que je comprends, des étapes du programme (enregistrement, désarmement, cantonnement, démobilisation, réinsertion ou intégration), de mes droits et de mes obligations.
3. Remettre toutes les armes, munitions et explosifs en ma possession ou sous mon contrôle, et ne plus prendre part à aucune activité armée.
4. Respecter le règlement des sites du programme, les autres participants, les communautés d'accueil et le personnel.
5. Savoir que je peux poser une réclamation ou contester une décision me concernant, sans crainte de représailles, et que ma réclamation sera traitée de façon confidentielle.
6. Savoir qu'une fausse déclaration (identité, âge, appartenance, armes) peut entraîner mon exclusion du programme.

Cette déclaration m'a été lue dans la langue indiquée ci-dessous. J'ai pu poser mes questions et j'ai reçu des réponses.
"""

DECLARATION_EN = """\
I, the undersigned, declare that:

1. I take part in the national disarmament, demobilization and reintegration (DDR) programme of my own free will. Nobody forced, threatened or paid me to take part.
2. I was informed, in a language I understand, of the steps of the programme (registration, disarmament, cantonment, demobilization, reinsertion or integration), of my rights and of my obligations.
3. I hand over every weapon, ammunition and explosive in my possession or under my control, and I will take no further part in any armed activity.
4. I will respect the rules of the programme's sites, the other participants, the host communities and the staff.
5. I know that I may make a complaint or contest a decision about me without fear of reprisal, and that my complaint will be handled confidentially.
6. I know that a false statement (identity, age, membership, weapons) may lead to my exclusion from the programme.

This declaration was read to me in the language stated below. I could ask my questions and I received answers.
"""

NOTICE_FR = """\
La Commission nationale DDR enregistre les informations vous concernant pour conduire le programme : votre identité, votre région, votre mouvement, votre catégorie, vos documents, les armes déclarées, les décisions de sélection, votre parcours, vos paiements et les suivis.

Pourquoi : vérifier votre éligibilité, vous orienter, vous payer, vous suivre et rendre compte du programme. Base : l'accord pour la paix et la nécessité du programme.

Facultatif, avec votre accord seulement : votre photo, votre référence biométrique et le partage de vos informations avec un partenaire nommé (ONG, agence). Vous pouvez retirer cet accord à tout moment ; la photo est alors supprimée, la référence biométrique effacée, le partage arrêté.

Qui y accède : le personnel de la Commission, selon son rôle et sa région. Les dossiers des enfants ne sont ouverts qu'à la protection de l'enfance. Les analystes ne voient que des chiffres agrégés.

Vos droits : demander à voir tout ce que le système contient sur vous, faire corriger une erreur, restreindre ou retirer les traitements facultatifs, présenter une réclamation.
"""

NOTICE_EN = """\
The National DDR Commission records information about you to run the programme: your identity, region, movement, category, documents, declared weapons, screening decisions, pathway, payments and follow-ups.

Why: to check your eligibility, orient you, pay you, follow you and account for the programme. Basis: the peace agreement and the programme's necessity.

Optional, only with your consent: your photo, your biometric reference and sharing your information with a named partner (NGO, agency). You may withdraw this consent at any time; the photo is then deleted, the biometric reference erased, the sharing stopped.

Who reads it: Commission staff, according to their role and region. Children's records are open to child protection only. Analysts see aggregate figures only.

Your rights: to ask to see everything the system holds about you, to have a mistake corrected, to restrict or withdraw the optional processing, to make a complaint.
"""

# (kind, language, title, body)
SHIPPED: tuple[tuple[str, str, str, str], ...] = (
    ("declaration", "fr", "Déclaration de participation volontaire", DECLARATION_FR),
    ("declaration", "en", "Declaration of voluntary participation", DECLARATION_EN),
    ("data_notice", "fr", "Notice sur le traitement des données personnelles", NOTICE_FR),
    ("data_notice", "en", "Notice on the processing of personal data", NOTICE_EN),
)
