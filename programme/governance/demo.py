"""Demo data for the peace process's record: the decisions the report dates, and its two
roadmaps of priority actions (annex 6.2) as written, with their deadlines. An action is marked
done or under way only where the report says so, with the passage as evidence; the others stand
as "not started", which the worker flags once past their deadline."""

from __future__ import annotations

import datetime as dt

from simple_history.utils import bulk_create_with_history

from accounts.models import User
from core.models import Body
from programme.governance import services
from programme.governance.models import Roadmap, RoadmapAction

REPORT = "Rapport « Lessons learned DDR/CVR Mali », 2024"

DECISIONS = [
    (
        Body.CTMS,
        dt.date(2013, 7, 1),
        "Pré-cantonnement pilote dans la région de Kidal (Kidal, Agharous Keyone)",
        "Trois sites pilotes de pré-cantonnement autorisés par la CTMS au second semestre 2013 ; suspendus après mai 2014.",
    ),
    (
        Body.CSA,
        dt.date(2018, 3, 22),
        "Feuille de route du 22 mars 2018 (23e session du CSA)",
        "Feuille de route pour la mise en œuvre du chronogramme d'actions prioritaires, endossée par la 23e session du CSA.",
    ),
    (
        Body.GOVERNMENT,
        dt.date(2019, 10, 30),
        "Décret n°0874/P-RM du 30 octobre 2019",
        "Modalités d'attribution de grades, de fonctions de commandement et de reclassement des ex-combattants.",
    ),
    (
        Body.CSA,
        dt.date(2020, 12, 18),
        "Feuille de route actualisée du 18 décembre 2020 (Transition)",
        "Feuille de route actualisée des actions prioritaires pendant la Transition, en référence à la feuille de route révisée du 12 juillet 2019.",
    ),
]

# (number, action, deadline as written, last day, responsible, theme)
ROADMAP_2018 = [
    (
        1,
        "Parachever la création des collectivités territoriales des régions de Taoudénit et de Ménaka",
        "avril 2018",
        dt.date(2018, 4, 30),
        "",
        "",
    ),
    (
        2,
        "Diligenter la création des collectivités des cercles d'Almoustarat et d'Achibogho",
        "août 2018-août 2019",
        dt.date(2019, 8, 31),
        "",
        "",
    ),
    (
        3,
        "Assurer le fonctionnement effectif des Autorités intérimaires et des Collèges transitoires",
        "mars-avril 2018",
        dt.date(2018, 4, 30),
        "",
        "",
    ),
    (
        4,
        "Renforcer les capacités du bataillon du MOC de Gao en le dotant d'armes lourdes",
        "mars-avril 2018",
        dt.date(2018, 4, 30),
        "",
        "",
    ),
    (
        5,
        "Mettre en place et rendre fonctionnels les bataillons du MOC de Kidal et Tombouctou",
        "mars-avril 2018",
        dt.date(2018, 4, 30),
        "",
        "",
    ),
    (
        6,
        "Identifier et redéployer les combattants anciennement membres des forces armées et de sécurité",
        "mars-avril 2018",
        dt.date(2018, 4, 30),
        "",
        "",
    ),
    (
        7,
        "Procéder au recensement des combattants éligibles à l'intégration ou au programme DDR",
        "mars-avril 2018",
        dt.date(2018, 4, 30),
        "",
        "",
    ),
    (
        8,
        "Procéder au report de l'élection des conseillers des Collectivités territoriales",
        "avril 2018",
        dt.date(2018, 4, 30),
        "",
        "",
    ),
    (
        9,
        "Adopter le décret de transfert des services déconcentrés de l'État aux Collectivités territoriales",
        "avril-mai 2018",
        dt.date(2018, 5, 31),
        "",
        "",
    ),
    (
        10,
        "Organiser un atelier de haut niveau sur la RSS (« armée reconstituée », « police territoriale »)",
        "27-28-29 mars 2018",
        dt.date(2018, 3, 29),
        "",
        "",
    ),
    (
        11,
        "Regroupement assisté des combattants recensés sur les sites de cantonnement retenus par la CTS (45 jours au maximum)",
        "25 avril-25 août 2018",
        dt.date(2018, 8, 25),
        "",
        "",
    ),
    (
        12,
        "Intégration dans les forces armées et de sécurité, les services paramilitaires et les fonctions publiques",
        "25 avril-15 septembre 2018",
        dt.date(2018, 9, 15),
        "",
        "",
    ),
    (
        13,
        "Organiser les élections dans un climat apaisé avec l'implication des mouvements signataires",
        "mai-août 2018",
        dt.date(2018, 8, 31),
        "",
        "",
    ),
    (
        14,
        "Procéder à la réinsertion socio-économique des éléments des mouvements signataires non intégrés",
        "août 2018-juillet 2019",
        dt.date(2019, 7, 31),
        "",
        "",
    ),
    (
        15,
        "Parachever la mise en place des Autorités intérimaires au niveau des cercles et des communes",
        "avril-décembre 2018",
        dt.date(2018, 12, 31),
        "",
        "",
    ),
    (
        16,
        "Accélérer le retour des réfugiés sur les sites viabilisés et leur enrôlement au RAVEC",
        "septembre-décembre 2018",
        dt.date(2018, 12, 31),
        "",
        "",
    ),
    (
        17,
        "Adopter les textes portant création de la Zone de Développement des régions du Nord",
        "octobre-novembre 2018",
        dt.date(2018, 11, 30),
        "",
        "",
    ),
    (
        18,
        "Organiser des consultations sur le découpage administratif",
        "octobre-décembre 2018",
        dt.date(2018, 12, 31),
        "",
        "",
    ),
    (
        19,
        "Réactiver le processus de révision de la Constitution du 25 février 1992",
        "Année 2019",
        dt.date(2019, 12, 31),
        "",
        "",
    ),
    (
        20,
        "Relecture de la Loi sur la libre administration et du Code des collectivités territoriales",
        "Année 2019",
        dt.date(2019, 12, 31),
        "",
        "",
    ),
    (
        21,
        "Parachever le processus de la Conférence d'Entente Nationale",
        "Année 2019",
        dt.date(2019, 12, 31),
        "",
        "",
    ),
]
POLITICAL, DEFENCE, DEVELOPMENT, JUSTICE = (
    "Questions politiques et institutionnelles",
    "Questions de défense et de sécurité",
    "Développement socio-économique et culturel",
    "Réconciliation, justice, questions humanitaires",
)
ROADMAP_2020 = [
    (
        1,
        "Poursuivre la révision de la Constitution en impliquant les Mouvements signataires",
        "Juin 2021",
        dt.date(2021, 6, 30),
        "Gouvernement",
        POLITICAL,
    ),
    (
        2,
        "Ouvrir le Haut Conseil des Collectivités aux notabilités traditionnelles, aux femmes et aux jeunes",
        "Mars 2021",
        dt.date(2021, 3, 31),
        "Gouvernement",
        POLITICAL,
    ),
    (
        3,
        "Relire le code des collectivités territoriales et la loi sur la libre administration",
        "Août 2022",
        dt.date(2022, 8, 31),
        "Gouvernement, Mouvements",
        POLITICAL,
    ),
    (
        4,
        "Parachever la mise en place des Autorités intérimaires et Collèges transitoires des Cercles et Communes",
        "D'ici mars 2021",
        dt.date(2021, 3, 31),
        "Gouvernement, Mouvements",
        POLITICAL,
    ),
    (
        5,
        "Prendre les décrets sectoriels de transfert aux collectivités territoriales des services déconcentrés",
        "D'ici juin 2021",
        dt.date(2021, 6, 30),
        "Gouvernement, Mouvements",
        POLITICAL,
    ),
    (
        6,
        "Atteindre 30 % des ressources budgétaires de l'État transférées aux collectivités territoriales",
        "Déc. 2021",
        dt.date(2021, 12, 31),
        "Gouvernement",
        POLITICAL,
    ),
    (
        7,
        "Intégrer les cadres civils des Mouvements signataires dans les administrations et services publics",
        "À partir de janv. 2021",
        dt.date(2021, 12, 31),
        "Gouvernement",
        POLITICAL,
    ),
    (
        8,
        "Adopter les textes relatifs à la police territoriale",
        "Fév. 2021",
        dt.date(2021, 2, 28),
        "Gouvernement, CNT",
        POLITICAL,
    ),
    (
        9,
        "Finaliser les travaux de la réorganisation territoriale",
        "Mars 2021",
        dt.date(2021, 3, 31),
        "Gouvernement",
        POLITICAL,
    ),
    (
        10,
        "Rencontre décisionnelle sur les « forces de défense et de sécurité reconstituées » : quotas (civils et militaires), chaîne de commandement, inaptes, ex-FDS",
        "Janv. 2021",
        dt.date(2021, 1, 31),
        "Gouvernement, Mouvements",
        DEFENCE,
    ),
    (
        11,
        "Finaliser le DDR-Intégration accéléré et le screening des BATFAR de Kidal, Gao, Tombouctou et de la compagnie de Ménaka (règle du tiers)",
        "Déc. 2020",
        dt.date(2020, 12, 31),
        "Mouvements, Gouvernement, CTS",
        DEFENCE,
    ),
    (
        12,
        "Fournir les listes des volontaires pour la 1re opération de réinsertion socio-économique (300 par région)",
        "Janv. 2021",
        dt.date(2021, 1, 31),
        "Mouvements",
        DEFENCE,
    ),
    (
        13,
        "Démarrer le processus global de DDR et d'Intégration de tous les combattants, et l'intégration des cadres civils",
        "1er trim. 2021",
        dt.date(2021, 3, 31),
        "Gouvernement, Mouvements",
        DEFENCE,
    ),
    (
        14,
        "Diligenter la mise en œuvre du décret n°0874/P-RM du 30 octobre 2019 (grades, commandement, reclassement)",
        "Janv. 2021",
        dt.date(2021, 1, 31),
        "Gouvernement",
        DEFENCE,
    ),
    (
        15,
        "Parachever le rappel des ex-membres des FDS n'ayant pas rejoint leurs corps d'origine",
        "Janv. 2021",
        dt.date(2021, 1, 31),
        "Gouvernement, Mouvements",
        DEFENCE,
    ),
    (
        16,
        "Opérationnaliser la police territoriale par son déploiement",
        "Mars 2021",
        dt.date(2021, 3, 31),
        "Mouvements, Gouvernement, CTS",
        DEFENCE,
    ),
    (
        17,
        "Assister les combattants dans leurs bases en attendant le démarrage des opérations",
        "À partir de janv. 2021",
        dt.date(2021, 12, 31),
        "Gouvernement",
        DEFENCE,
    ),
    (
        18,
        "Mettre en place la Zone de Développement des régions du Nord (ZODERN-Mali)",
        "Janv. 2020",
        dt.date(2020, 1, 31),
        "Gouvernement",
        DEVELOPMENT,
    ),
    (
        19,
        "Table-ronde avec les partenaires sur le financement de la Stratégie spécifique de développement du Nord",
        "Fév. 2021",
        dt.date(2021, 2, 28),
        "Gouvernement, Mouvements",
        DEVELOPMENT,
    ),
    (
        20,
        "Gestion transparente et inclusive du Fonds de développement durable",
        "Déc. 2020",
        dt.date(2020, 12, 31),
        "Gouvernement",
        DEVELOPMENT,
    ),
    (
        21,
        "Lancer au moins un projet structurant par région dans la ZODERN",
        "Fév. 2021",
        dt.date(2021, 2, 28),
        "Gouvernement",
        DEVELOPMENT,
    ),
    (
        22,
        "Adopter la loi sur le rôle des cadis et des autorités traditionnelles dans la justice",
        "Avril 2021",
        dt.date(2021, 4, 30),
        "Gouvernement",
        JUSTICE,
    ),
    (
        23,
        "Adopter la politique nationale de réparation proposée par la CVJR",
        "1er trim. 2021",
        dt.date(2021, 3, 31),
        "Gouvernement",
        JUSTICE,
    ),
    (
        24,
        "Adopter le décret d'application de la Loi d'Entente nationale",
        "Mars 2021",
        dt.date(2021, 3, 31),
        "Gouvernement",
        JUSTICE,
    ),
    (
        25,
        "Adopter la loi sur l'assistance judiciaire et juridique",
        "Avril 2021",
        dt.date(2021, 4, 30),
        "Gouvernement",
        JUSTICE,
    ),
    (
        26,
        "Prendre en charge les autorités traditionnelles et leur place protocolaire",
        "Juin 2021",
        dt.date(2021, 6, 30),
        "Gouvernement",
        JUSTICE,
    ),
    (
        27,
        "Accompagner le retour des déplacés et réfugiés (trois sites de retour)",
        "À partir de janv. 2021",
        dt.date(2021, 12, 31),
        "Gouvernement, Mouvements",
        JUSTICE,
    ),
    (
        28,
        "Parachever la Conférence d'Entente Nationale : Charte nationale pour la paix, l'unité et la réconciliation",
        "Sept. 2021",
        dt.date(2021, 9, 30),
        "Gouvernement, Mouvements",
        JUSTICE,
    ),
]
# Where the report says what became of an action: (roadmap year, number) -> status, done on, evidence.
OUTCOMES = {
    (2018, 7): (
        "done",
        dt.date(2018, 12, 31),
        "Pré-enregistrement de 2018 : 74 000 combattants et femmes associées. " + REPORT + ", contexte.",
    ),
    (2018, 5): (
        "under_way",
        None,
        "Tombouctou : « In early 2018, mixed units of the MOC were established in Timbuktu » ; rien "
        "sur le MOC de Kidal. " + REPORT + ", section 3.2.1.",
    ),
    (2018, 11): ("dropped", None, "« formal cantonment never took place ». " + REPORT + ", section 3.1."),
    (2018, 12): (
        "under_way",
        None,
        "DDR-intégration accélérée lancée le 6 novembre 2018 ; 1 765 intégrés dans quatre unités "
        "reconstituées. " + REPORT + ", sections 3.3.1 et 3.4.",
    ),
    (2020, 11): (
        "under_way",
        None,
        "DDR-intégration accélérée : 1 840 intégrés à la mi-2020 ; screening des BATFAR demandé. "
        + REPORT
        + ".",
    ),
}


def seed(admin: User) -> None:
    decisions = {}
    for body, on, title, text in DECISIONS:
        decisions[on] = services.decision_record(
            by=admin, body=body, taken_on=on, title=title, text=text, reference=""
        )
    for year, adopted, title, rows in (
        (2018, dt.date(2018, 3, 22), "Feuille de route du 22 mars 2018", ROADMAP_2018),
        (2020, dt.date(2020, 12, 18), "Feuille de route actualisée du 18 décembre 2020", ROADMAP_2020),
    ):
        roadmap = Roadmap(title=title, adopted_on=adopted, decision=decisions[adopted])
        roadmap._history_user = admin  # type: ignore[attr-defined]
        roadmap.save()
        actions = []
        for number, text, written, deadline, responsible, theme in rows:
            status, done_on, evidence = OUTCOMES.get((year, number), ("planned", None, ""))
            actions.append(
                RoadmapAction(
                    roadmap=roadmap,
                    number=number,
                    theme=theme,
                    text=text,
                    responsible=responsible,
                    deadline_text=written,
                    deadline=deadline,
                    status=status,
                    done_on=done_on,
                    evidence=evidence,
                )
            )
        bulk_create_with_history(
            actions, RoadmapAction, default_user=admin, default_change_reason="demo data"
        )
    services.flag_overdue()
